/**
 * Invitations and password resets in the console: the invite form on the users list (a new
 * account by email, client/invitations.ts inviteAccount) and the reset form on a user's page (a
 * single-use link by email, sendPasswordReset). Both post with the session's CSRF token to
 * client/api/console-pages.ts, which audits through the same functions as the API.
 */
import { ATS_NETWORKS } from '../../../domain/territory';
import type { NavUser } from './layout';
import type { Locale } from './texts';
import { CT } from './texts-console';

const AT = {
  it: {
    invite: 'Invita un nuovo utente',
    inviteHelp:
      'L’utente riceve un’email con un link (valido 7 giorni) per scegliere la password; l’account nasce allora.',
    reset: 'Reimposta la password',
    resetHelp: 'L’utente riceve un’email con un link (valido un’ora) per scegliere una nuova password.',
    email: 'Email',
    name: 'Nome e cognome',
    emailLocale: 'Lingua dell’email',
    vatHelp: 'Per un referente d’impresa: la partita IVA dell’impresa iscritta.',
    send: 'Invia l’invito',
    sendReset: 'Invia il link',
    italian: 'Italiano',
    english: 'Inglese',
  },
  en: {
    invite: 'Invite a new user',
    inviteHelp: 'The user gets an email with a link (valid 7 days) to choose their password; the account is made then.',
    reset: 'Reset the password',
    resetHelp: 'The user gets an email with a link (valid one hour) to choose a new password.',
    email: 'Email',
    name: 'Full name',
    emailLocale: 'Language of the email',
    vatHelp: 'For a company contact: the enrolled company’s VAT number.',
    send: 'Send the invitation',
    sendReset: 'Send the link',
    italian: 'Italian',
    english: 'English',
  },
} as const;

/** What the invite form shows again after a refusal. */
export interface InviteValues {
  email: string;
  name: string;
  role: string;
  atsCode: string;
  allianceCode: string;
  companyVatNumber: string;
  locale: string;
}

export function InviteForm(p: { locale: Locale; user: NavUser; values?: InviteValues | null }) {
  const t = AT[p.locale];
  const c = CT[p.locale];
  const v = p.values;
  return (
    <section aria-labelledby="invite-h">
      <h2 id="invite-h">{t.invite}</h2>
      <p class="muted" id="invite-help">
        {t.inviteHelp}
      </p>
      <form method="post" action="/app/console/invitations" class="stack" aria-describedby="invite-help">
        <input type="hidden" name="csrf" value={p.user.csrf} />
        <p>
          <label for="inv-email">{t.email}</label>
          <input
            id="inv-email"
            name="email"
            type="email"
            required
            maxLength={254}
            autocomplete="off"
            value={v?.email ?? ''}
          />
        </p>
        <p>
          <label for="inv-name">{t.name}</label>
          <input id="inv-name" name="name" type="text" required maxLength={120} value={v?.name ?? ''} />
        </p>
        <p>
          <label for="inv-role">{c.role}</label>
          <select id="inv-role" name="role">
            {Object.entries(c.roles).map(([r, label]) => (
              <option value={r} selected={(v?.role ?? 'consultant') === r}>
                {label}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="inv-ats">{c.ats}</label>
          <select id="inv-ats" name="atsCode">
            <option value="">–</option>
            {ATS_NETWORKS.map((a) => (
              <option value={a.code} selected={v?.atsCode === a.code}>
                {a.name}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="inv-alliance">{c.alliance}</label>
          <input id="inv-alliance" name="allianceCode" maxLength={60} value={v?.allianceCode ?? ''} />
        </p>
        <p>
          <label for="inv-vat">{c.vat}</label>
          <input
            id="inv-vat"
            name="companyVatNumber"
            maxLength={20}
            aria-describedby="inv-vat-help"
            value={v?.companyVatNumber ?? ''}
          />
          <span class="muted" id="inv-vat-help">
            {t.vatHelp}
          </span>
        </p>
        <p>
          <label for="inv-locale">{t.emailLocale}</label>
          <select id="inv-locale" name="locale">
            <option value="it" selected={(v?.locale ?? p.locale) === 'it'}>
              {t.italian}
            </option>
            <option value="en" selected={(v?.locale ?? p.locale) === 'en'}>
              {t.english}
            </option>
          </select>
        </p>
        <p>
          <button type="submit">{t.send}</button>
        </p>
      </form>
    </section>
  );
}

export function ResetForm(p: { locale: Locale; user: NavUser; userId: string }) {
  const t = AT[p.locale];
  return (
    <section aria-labelledby="reset-h">
      <h2 id="reset-h">{t.reset}</h2>
      <p class="muted">{t.resetHelp}</p>
      <form method="post" action={`/app/console/users/${encodeURIComponent(p.userId)}/password-reset`}>
        <input type="hidden" name="csrf" value={p.user.csrf} />
        <button type="submit">{t.sendReset}</button>
      </form>
    </section>
  );
}
