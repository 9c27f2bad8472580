import { escapeHtml } from '../../activities/mail/mail-catcher-view';
import { formatRomeDateTime } from '../../domain/calendar';
import type { EnrollmentView } from '../service';

const esc = (s: unknown) => escapeHtml(String(s ?? ''));

// Exact contents of the pages' <style> elements: the Content-Security-Policy allows them by hash.
export const ENROLLMENT_PAGE_CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a}header{background:#00843D;color:#fff;padding:1rem}main{padding:1rem;max-width:60rem;margin:auto}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.5rem;text-align:left}`;
export const OPT_OUT_PAGE_CSS = `body{font-family:system-ui,sans-serif;margin:0}header{background:#00843D;color:#fff;padding:1rem}main{padding:1rem;max-width:40rem;margin:auto}button{font-size:1rem;padding:.6rem 1.2rem}`;

/** The page an email link opens: the pathway's steps and due dates, readable on a phone. */
export function renderEnrollmentPage(e: EnrollmentView, locale: 'it' | 'en'): string {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const when = (iso: string | null) => (iso ? formatRomeDateTime(Date.parse(iso), locale) : '—');
  const steps = e.pathway?.steps ?? [];
  const statusLabel: Record<string, string> = {
    done: t('completato', 'done'),
    active: t('in corso', 'in progress'),
    pending: t('da iniziare', 'not started'),
  };
  const rows = steps
    .map(
      (s) =>
        `<tr><td>${esc(s.name[locale])}</td><td>${esc(statusLabel[s.status])}</td><td>${esc(when(s.dueAt))}</td><td>${esc(when(s.completedAt))}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(e.company.name)} · conciliaflow</title>
<style>${ENROLLMENT_PAGE_CSS}</style></head>
<body><header>Regione Lombardia · ${t('Conciliazione vita-lavoro', 'Work-life balance')}</header><main>
<h1>${esc(e.company.name)}</h1>
<p>${t('Percorso', 'Pathway')}: <strong>${esc(e.kind)}</strong> · ${t('Stato', 'Status')}: <strong>${esc(e.status)}</strong> · ${t('Consulente', 'Consultant')}: ${esc(e.consultant.name)}</p>
<table><caption>${t('Passi del percorso', 'Pathway steps')}</caption><thead><tr><th scope="col">${t('Passo', 'Step')}</th><th scope="col">${t('Stato', 'Status')}</th><th scope="col">${t('Scadenza', 'Due')}</th><th scope="col">${t('Completato', 'Completed')}</th></tr></thead><tbody>${rows}</tbody></table>
</main></body></html>`;
}

/**
 * The opt-out link's page. `ask`: the confirmation button; `done`: recorded; `staff`: the address
 * is no participant's (a consultant, a coordinator, the Region), whose messages come with the role
 * and are not covered by the link, so nothing was or will be recorded, and the page says whom to ask.
 */
export function renderOptOutPage(
  email: string,
  token: string,
  locale: 'it' | 'en',
  state: 'ask' | 'done' | 'staff',
): string {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const body =
    state === 'done'
      ? `<p role="status">${t(
          `Fatto: ${esc(email)} non riceverà più i messaggi non essenziali. Scadenze e avvisi del percorso continueranno ad arrivare.`,
          `Done: ${esc(email)} will no longer receive non-essential messages. Deadlines and pathway notices will still arrive.`,
        )}</p>`
      : state === 'staff'
        ? `<p role="status">${t(
            `Nessuna modifica registrata: ${esc(email)} non è l'indirizzo di un partecipante a un percorso. I messaggi che riceve (avvisi, riepiloghi, report) fanno parte del ruolo di consulente, coordinatore o della Regione, e questo link non li può disattivare.`,
            `Nothing was changed: ${esc(email)} is not the address of a pathway participant. The messages it receives (notices, digests, reports) come with the role of consultant, coordinator or Region staff, and this link cannot turn them off.`,
          )}</p>
<p>${t(
            "Per cambiare le notifiche del tuo ruolo, contatta la Regione Lombardia (chi gestisce gli account di conciliaflow) o chiedi all'amministratore del tuo account.",
            'To change the notifications of your role, contact Regione Lombardia (who manages conciliaflow accounts) or ask the administrator of your account.',
          )}</p>`
        : `<p>${t(
            `Vuoi smettere di ricevere i messaggi non essenziali (benvenuto, traguardi, riepiloghi) all'indirizzo ${esc(email)}? Le scadenze continueranno ad arrivare.`,
            `Stop non-essential messages (welcome, milestones, digests) to ${esc(email)}? Deadlines will still arrive.`,
          )}</p>
<form method="post" action="/preferences/opt-out"><input type="hidden" name="token" value="${esc(token)}">
<button type="submit">${t('Conferma', 'Confirm')}</button></form>`;
  return optOutLayout(locale, body);
}

/** The page of an opt-out link that cannot be used, whatever the reason (one message for all). */
export function renderOptOutErrorPage(message: string, locale: 'it' | 'en'): string {
  return optOutLayout(locale, `<p role="alert">${esc(message)}</p>`);
}

function optOutLayout(locale: 'it' | 'en', body: string): string {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${t('Preferenze email', 'Email preferences')} · conciliaflow</title>
<style>${OPT_OUT_PAGE_CSS}</style></head>
<body><header>Regione Lombardia · ${t('Conciliazione vita-lavoro', 'Work-life balance')}</header><main><h1>${t('Preferenze email', 'Email preferences')}</h1>${body}</main></body></html>`;
}
