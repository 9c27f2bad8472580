/**
 * Invite and password reset on a user's console page: two separate small forms in one component,
 * for the invitations of client/invitations.ts (POST /invitations, POST /users/:id/password-reset),
 * which are not on main yet. NOT RENDERED until then. Wiring it is three lines: render
 * `<UserAccessForms …/>` in UserPage (console.tsx) and add the two POST handlers in
 * client/api/console-pages.ts calling inviteAccount / sendPasswordReset.
 */
import type { NavUser } from './layout';
import type { Locale } from './texts';

const AT = {
  it: {
    invite: 'Invia un invito',
    inviteHelp: 'L’utente riceve un’email con un link per scegliere la password.',
    reset: 'Reimposta la password',
    resetHelp: 'L’utente riceve un’email con un link per scegliere una nuova password; le sue sessioni finiscono.',
    send: 'Invia',
  },
  en: {
    invite: 'Send an invitation',
    inviteHelp: 'The user gets an email with a link to choose their password.',
    reset: 'Reset the password',
    resetHelp: 'The user gets an email with a link to choose a new password; their sessions end.',
    send: 'Send',
  },
} as const;

export function UserAccessForms(p: {
  locale: Locale;
  user: NavUser;
  userId: string;
  /** Whether the user has never set a password (an invitation), else a reset. */
  invite: boolean;
}) {
  const t = AT[p.locale];
  const base = `/app/console/users/${encodeURIComponent(p.userId)}`;
  return p.invite ? (
    <section aria-labelledby="invite-h">
      <h2 id="invite-h">{t.invite}</h2>
      <p class="muted">{t.inviteHelp}</p>
      <form method="post" action={`${base}/invite`}>
        <input type="hidden" name="csrf" value={p.user.csrf} />
        <button type="submit">{t.send}</button>
      </form>
    </section>
  ) : (
    <section aria-labelledby="reset-h">
      <h2 id="reset-h">{t.reset}</h2>
      <p class="muted">{t.resetHelp}</p>
      <form method="post" action={`${base}/password-reset`}>
        <input type="hidden" name="csrf" value={p.user.csrf} />
        <button type="submit">{t.send}</button>
      </form>
    </section>
  );
}
