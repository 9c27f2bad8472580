import type { CaughtMessage } from './mail-catcher';

/**
 * Pure HTML pages for the mail catcher. URL layout assumed by the links: the inbox at `basePath`,
 * one message at `basePath/<id>`.
 */
export interface InboxOptions {
  /** Defaults to "/mail". */
  basePath?: string;
  /** Seconds between automatic reloads of the inbox; omitted means no reload. */
  refreshSeconds?: number;
}

export interface MessagePageOptions {
  /** Defaults to "/mail". */
  basePath?: string;
  /** Where the .eml source can be downloaded, when a route serves it. */
  rawHref?: string;
}

const TITLE = 'Posta in uscita (mail catcher)';

const dateTime = new Intl.DateTimeFormat('it-IT', {
  timeZone: 'Europe/Rome',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function messageHref(basePath: string, id: string): string {
  return `${basePath.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
}

function time(date: Date): string {
  return `<time datetime="${escapeHtml(date.toISOString())}">${escapeHtml(dateTime.format(date))}</time>`;
}

/** The exact contents of the pages' <style> element (the API's Content-Security-Policy allows it by hash). */
export const MAIL_CATCHER_CSS = `
:root { color-scheme: light; --green: #00843D; --ink: #1f2a24; --muted: #4d5a53; --line: #d9e2dd; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: #f6f8f7; }
.band { background: var(--green); color: #fff; padding: .75rem 1rem; font-weight: 600; border-bottom: 4px solid #006930; }
.band p { margin: 0; max-width: 60rem; margin-inline: auto; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
a { color: #006930; }
a:focus-visible, summary:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; vertical-align: top; padding: .5rem .75rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { background: #eef2f0; }
.muted { color: var(--muted); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; border: 1px solid var(--line); padding: .75rem 1rem; margin: 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid var(--line); padding: .75rem 1rem; margin: 0; font-size: .9rem; }
iframe { width: 100%; height: 36rem; border: 1px solid var(--line); background: #fff; }
details { margin-top: 1.5rem; }
summary { cursor: pointer; font-weight: 600; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 40rem) {
  table.inbox thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.inbox, table.inbox tbody, table.inbox tr, table.inbox td { display: block; width: 100%; }
  table.inbox tr { border-bottom: 1px solid var(--line); padding: .25rem 0; }
  table.inbox td { border: 0; padding: .15rem .75rem; }
  table.inbox td::before { content: attr(data-label) ": "; font-weight: 600; }
  dl.meta { grid-template-columns: 1fr; }
  dl.meta dd { margin-bottom: .5rem; }
}
`;

function page(title: string, main: string, head = ''): string {
  return `<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${head}<title>${escapeHtml(title)}</title>
<style>${MAIL_CATCHER_CSS}</style>
</head>
<body>
<header class="band"><p>Regione Lombardia · Conciliazione vita-lavoro</p></header>
<main>
${main}
</main>
</body>
</html>
`;
}

/** The list of caught messages, in the order given (MailCatcher.messages() is newest first). */
export function renderInbox(messages: readonly CaughtMessage[], opts: InboxOptions = {}): string {
  const basePath = opts.basePath ?? '/mail';
  const count = messages.length === 1 ? '1 messaggio ricevuto' : `${messages.length} messaggi ricevuti`;
  const intro = `<p class="muted">${count} dal server SMTP locale, i più recenti per primi. Nessun messaggio viene consegnato ai destinatari reali.</p>`;
  const body =
    messages.length === 0
      ? `<p>Nessun messaggio ricevuto.</p>`
      : `<table class="inbox">
<caption class="visually-hidden">Messaggi ricevuti</caption>
<thead><tr><th scope="col">Data</th><th scope="col">Destinatari</th><th scope="col">Oggetto</th></tr></thead>
<tbody>
${messages
  .map(
    (m) =>
      `<tr><td data-label="Data">${time(m.receivedAt)}</td>` +
      `<td data-label="Destinatari">${escapeHtml(m.to.join(', '))}</td>` +
      `<td data-label="Oggetto"><a href="${escapeHtml(messageHref(basePath, m.id))}">${
        m.subject ? escapeHtml(m.subject) : '<em>(senza oggetto)</em>'
      }</a></td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`;
  const refresh =
    opts.refreshSeconds && opts.refreshSeconds > 0
      ? `<meta http-equiv="refresh" content="${Math.round(opts.refreshSeconds)}">\n`
      : '';
  return page(TITLE, `<h1>${TITLE}</h1>\n${intro}\n${body}`, refresh);
}

/** One message: summary, HTML part in a sandboxed frame, text part, full headers and attachments. */
export function renderMessagePage(message: CaughtMessage, opts: MessagePageOptions = {}): string {
  const basePath = opts.basePath ?? '/mail';
  const subject = message.subject || '(senza oggetto)';
  const meta: Array<[string, string]> = [
    ['Data', time(message.receivedAt)],
    ['Da', escapeHtml(message.from)],
    ['A', escapeHtml(message.to.join(', '))],
    ['Oggetto', escapeHtml(subject)],
    ['Message-ID', `<code>${escapeHtml(message.messageId)}</code>`],
  ];
  const sections: string[] = [
    `<p><a href="${escapeHtml(basePath)}">← Torna alla posta in uscita</a>${
      opts.rawHref ? ` · <a href="${escapeHtml(opts.rawHref)}" download>Scarica il file .eml</a>` : ''
    }</p>`,
    `<h1>${escapeHtml(subject)}</h1>`,
    `<dl class="meta">\n${meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('\n')}\n</dl>`,
  ];
  if (message.html !== null) {
    // srcdoc is an attribute: escaping turns the whole document into one inert string, and the empty
    // sandbox keeps scripts, forms and same-origin access away from the catcher's own page.
    sections.push(
      `<h2>Versione HTML</h2>`,
      `<iframe sandbox="" referrerpolicy="no-referrer" title="Anteprima HTML del messaggio" srcdoc="${escapeHtml(message.html)}"></iframe>`,
    );
  }
  sections.push(
    `<h2>Versione testo</h2>`,
    message.text
      ? `<pre>${escapeHtml(message.text)}</pre>`
      : `<p class="muted">Il messaggio non ha una parte di testo.</p>`,
  );
  if (message.attachments.length > 0) {
    sections.push(
      `<h2>Allegati</h2>`,
      `<ul>\n${message.attachments
        .map(
          (a) =>
            `<li>${escapeHtml(a.filename || '(senza nome)')} <span class="muted">(${escapeHtml(a.contentType)}, ${a.size.toLocaleString('it-IT')} byte)</span></li>`,
        )
        .join('\n')}\n</ul>`,
    );
  }
  sections.push(
    `<details>\n<summary>Intestazioni complete</summary>\n<table>\n<caption class="visually-hidden">Intestazioni del messaggio</caption>\n<tbody>\n${Object.entries(
      message.headers,
    )
      .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join('\n')}\n</tbody>\n</table>\n</details>`,
  );
  return page(`${subject} · ${TITLE}`, sections.join('\n'));
}
