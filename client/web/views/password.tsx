/** The account page: change one's own password, with the session's CSRF token. */
import { FlashText } from './flash';
import { Layout, type NavUser } from './layout';
import type { Locale } from './texts';

export const PASSWORD_TEXT = {
  it: {
    nav: 'Password',
    title: 'Cambia password',
    current: 'Password attuale',
    next: 'Nuova password',
    confirm: 'Ripeti la nuova password',
    submit: 'Cambia password',
    changed: (n: number) =>
      `Password cambiata. ${n === 0 ? 'Nessun’altra sessione era aperta.' : `Chiuse ${n} ${n === 1 ? 'altra sessione' : 'altre sessioni'}: su quei dispositivi occorre accedere di nuovo.`}`,
    mismatch: 'Le due nuove password non coincidono: nulla è cambiato.',
    hint: (min: number) =>
      `Almeno ${min} caratteri; non una password comune, né il proprio nome o email. Una frase di tre o quattro parole a caso va bene.`,
  },
  en: {
    nav: 'Password',
    title: 'Change password',
    current: 'Current password',
    next: 'New password',
    confirm: 'Repeat the new password',
    submit: 'Change password',
    changed: (n: number) =>
      `Password changed. ${n === 0 ? 'No other session was open.' : `${n} other ${n === 1 ? 'session was' : 'sessions were'} ended: sign in again on those devices.`}`,
    mismatch: 'The two new passwords differ: nothing was changed.',
    hint: (min: number) =>
      `At least ${min} characters; not a common password, nor your own name or email. A phrase of three or four random words is fine.`,
  },
} as const;

export interface PasswordPageProps {
  locale: Locale;
  here: string;
  user: NavUser;
  /** The account's address, for password managers (hidden username field). */
  email: string;
  minLength: number;
  /** The outcome of a submitted form, composed by the server. */
  result?: { kind: 'ok' | 'err'; text: string };
}

export function PasswordPage({ locale, here, user, email, minLength, result }: PasswordPageProps) {
  const t = PASSWORD_TEXT[locale];
  return (
    <Layout locale={locale} title={`${t.title} · conciliaflow`} here={here} user={user}>
      <h1>{t.title}</h1>
      {result ? <FlashText kind={result.kind} text={result.text} /> : null}
      <form method="post" action="/app/password" class="card narrow">
        <input type="hidden" name="csrf" value={user.csrf} />
        <input type="text" name="username" value={email} autocomplete="username" hidden />
        <PasswordField id="current" name="currentPassword" label={t.current} autocomplete="current-password" />
        <PasswordField
          id="new"
          name="newPassword"
          label={t.next}
          autocomplete="new-password"
          minLength={minLength}
          hint={t.hint(minLength)}
        />
        <PasswordField id="confirm" name="confirmPassword" label={t.confirm} autocomplete="new-password" />
        <p>
          <button type="submit">{t.submit}</button>
        </p>
      </form>
    </Layout>
  );
}

/** One labelled password input; a hint, when given, is tied to it by aria-describedby. */
function PasswordField(p: {
  id: string;
  name: string;
  label: string;
  autocomplete: 'current-password' | 'new-password';
  minLength?: number;
  hint?: string;
}) {
  const hintId = p.hint === undefined ? undefined : `${p.id}-hint`;
  return (
    <p>
      <label for={p.id}>{p.label}</label>
      <br />
      <input
        id={p.id}
        name={p.name}
        type="password"
        autocomplete={p.autocomplete}
        required
        minlength={p.minLength}
        maxlength={200}
        aria-describedby={hintId}
      />
      {hintId === undefined ? null : (
        <>
          <br />
          <small id={hintId}>{p.hint}</small>
        </>
      )}
    </p>
  );
}
