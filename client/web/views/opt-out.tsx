/**
 * The opt-out link's page. `ask`: the confirmation button; `done`: recorded; `staff`: the address
 * is no participant's (a consultant, a coordinator, the Region), whose messages come with the role
 * and are not covered by the link, so nothing was or will be recorded, and the page says whom to ask.
 * `invalid`: the link cannot be used, whatever the reason (one message for all).
 */
import { Layout } from './layout';
import type { Locale } from './texts';

export type OptOutProps =
  | { locale: Locale; state: 'ask' | 'done' | 'staff'; email: string; token: string }
  | { locale: Locale; state: 'invalid'; message: string };

export function OptOutPage(p: OptOutProps) {
  const t = (it: string, en: string) => (p.locale === 'it' ? it : en);
  const title = t('Preferenze email', 'Email preferences');
  return (
    <Layout locale={p.locale} title={`${title} · conciliaflow`}>
      <h1>{title}</h1>
      {p.state === 'invalid' ? (
        <p role="alert">{p.message}</p>
      ) : p.state === 'done' ? (
        <p role="status">
          {t(
            `Fatto: ${p.email} non riceverà più i messaggi non essenziali. Scadenze e avvisi del percorso continueranno ad arrivare.`,
            `Done: ${p.email} will no longer receive non-essential messages. Deadlines and pathway notices will still arrive.`,
          )}
        </p>
      ) : p.state === 'staff' ? (
        <>
          <p role="status">
            {t(
              `Nessuna modifica registrata: ${p.email} non è l'indirizzo di un partecipante a un percorso. I messaggi che riceve (avvisi, riepiloghi, report) fanno parte del ruolo di consulente, coordinatore o della Regione, e questo link non li può disattivare.`,
              `Nothing was changed: ${p.email} is not the address of a pathway participant. The messages it receives (notices, digests, reports) come with the role of consultant, coordinator or Region staff, and this link cannot turn them off.`,
            )}
          </p>
          <p>
            {t(
              "Per cambiare le notifiche del tuo ruolo, contatta la Regione Lombardia (chi gestisce gli account di conciliaflow) o chiedi all'amministratore del tuo account.",
              'To change the notifications of your role, contact Regione Lombardia (who manages conciliaflow accounts) or ask the administrator of your account.',
            )}
          </p>
        </>
      ) : (
        <>
          <p>
            {t(
              `Vuoi smettere di ricevere i messaggi non essenziali (benvenuto, traguardi, riepiloghi) all'indirizzo ${p.email}? Le scadenze continueranno ad arrivare.`,
              `Stop non-essential messages (welcome, milestones, digests) to ${p.email}? Deadlines will still arrive.`,
            )}
          </p>
          <form method="post" action="/preferences/opt-out">
            <input type="hidden" name="token" value={p.token} />
            <button type="submit">{t('Conferma', 'Confirm')}</button>
          </form>
        </>
      )}
    </Layout>
  );
}
