/**
 * The mail catcher's pages (embedded stack, admins only). URL layout assumed by the links: the
 * inbox at `basePath`, one message at `basePath/<id>`.
 */
import type { CaughtMessage } from '../../../mail/mail-catcher';
import { Layout, type NavUser } from './layout';
import type { Locale } from './texts';

const MT = {
  it: {
    title: 'Posta in uscita (mail catcher)',
    count: (n: number) => (n === 1 ? '1 messaggio ricevuto' : `${n} messaggi ricevuti`),
    intro: 'dal server SMTP locale, i più recenti per primi. Nessun messaggio viene consegnato ai destinatari reali.',
    none: 'Nessun messaggio ricevuto.',
    received: 'Messaggi ricevuti',
    date: 'Data',
    to: 'Destinatari',
    subject: 'Oggetto',
    noSubject: '(senza oggetto)',
    back: '← Torna alla posta in uscita',
    eml: 'Scarica il file .eml',
    from: 'Da',
    toOne: 'A',
    html: 'Versione HTML',
    htmlFrame: 'Anteprima HTML del messaggio',
    text: 'Versione testo',
    noText: 'Il messaggio non ha una parte di testo.',
    links: 'Link nel messaggio',
    attachments: 'Allegati',
    noName: '(senza nome)',
    download: 'Scarica',
    bytes: 'byte',
    headers: 'Intestazioni complete',
    headersCaption: 'Intestazioni del messaggio',
  },
  en: {
    title: 'Outgoing mail (mail catcher)',
    count: (n: number) => (n === 1 ? '1 message received' : `${n} messages received`),
    intro: 'by the local SMTP server, newest first. No message is delivered to its real recipients.',
    none: 'No message received.',
    received: 'Messages received',
    date: 'Date',
    to: 'Recipients',
    subject: 'Subject',
    noSubject: '(no subject)',
    back: '← Back to outgoing mail',
    eml: 'Download the .eml file',
    from: 'From',
    toOne: 'To',
    html: 'HTML version',
    htmlFrame: 'HTML preview of the message',
    text: 'Text version',
    noText: 'The message has no text part.',
    links: 'Links in the message',
    attachments: 'Attachments',
    noName: '(no name)',
    download: 'Download',
    bytes: 'bytes',
    headers: 'All headers',
    headersCaption: 'Headers of the message',
  },
} as const;

/** What a page of the catcher shows besides the messages: language, the signed-in admin's header. */
export interface MailChrome {
  locale?: Locale;
  here?: string;
  user?: NavUser | null;
}

const formatters = {
  it: new Intl.DateTimeFormat('it-IT', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }),
  en: new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }),
};

/** The web links of a message (its HTML hrefs, else the URLs of its text), each once, in order. */
export function messageLinks(m: Pick<CaughtMessage, 'html' | 'text'>): string[] {
  const found: string[] = [];
  const decode = (s: string) => s.replace(/&amp;/g, '&');
  if (m.html) for (const x of m.html.matchAll(/href\s*=\s*"([^"]+)"/gi)) found.push(decode(x[1]!));
  for (const x of (m.text ?? '').matchAll(/https?:\/\/[^\s<>"')\]]+/g)) found.push(x[0]);
  return [...new Set(found.filter((u) => /^https?:\/\//i.test(u)))];
}

const messageHref = (basePath: string, id: string) => `${basePath.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;

function When({ date, locale }: { date: Date; locale: Locale }) {
  return <time dateTime={date.toISOString()}>{formatters[locale].format(date)}</time>;
}

const robots = <meta name="robots" content="noindex" />;

export function InboxPage(
  p: { messages: readonly CaughtMessage[]; basePath: string; refreshSeconds?: number } & MailChrome,
) {
  const locale = p.locale ?? 'it';
  const t = MT[locale];
  const count = t.count(p.messages.length);
  const refresh =
    p.refreshSeconds && p.refreshSeconds > 0 ? (
      <meta http-equiv="refresh" content={String(Math.round(p.refreshSeconds))} />
    ) : null;
  return (
    <Layout
      locale={locale}
      title={t.title}
      here={p.here}
      user={p.user ?? null}
      head={
        <>
          {robots}
          {refresh}
        </>
      }
    >
      <h1>{t.title}</h1>
      <p class="muted">
        {count} {t.intro}
      </p>
      {p.messages.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <table class="responsive">
          <caption class="visually-hidden">{t.received}</caption>
          <thead>
            <tr>
              <th scope="col">{t.date}</th>
              <th scope="col">{t.to}</th>
              <th scope="col">{t.subject}</th>
            </tr>
          </thead>
          <tbody>
            {p.messages.map((m) => (
              <tr>
                <td data-label={t.date}>
                  <When date={m.receivedAt} locale={locale} />
                </td>
                <td data-label={t.to}>{m.to.join(', ')}</td>
                <td data-label={t.subject}>
                  <a href={messageHref(p.basePath, m.id)}>{m.subject ? m.subject : <em>{t.noSubject}</em>}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/** One message: summary, HTML part in a sandboxed frame, text part, its links, full headers and attachments. */
export function MessagePage(
  p: {
    message: CaughtMessage;
    basePath: string;
    rawHref?: string;
    attachmentHref?: (index: number) => string;
  } & MailChrome,
) {
  const m = p.message;
  const locale = p.locale ?? 'it';
  const t = MT[locale];
  const subject = m.subject || t.noSubject;
  const links = messageLinks(m);
  return (
    <Layout locale={locale} title={`${subject} · ${t.title}`} head={robots} here={p.here} user={p.user ?? null}>
      <p>
        <a href={p.basePath}>{t.back}</a>
        {p.rawHref ? (
          <>
            {' · '}
            <a href={p.rawHref} download>
              {t.eml}
            </a>
          </>
        ) : null}
      </p>
      <h1>{subject}</h1>
      <dl class="meta">
        <dt>{t.date}</dt>
        <dd>
          <When date={m.receivedAt} locale={locale} />
        </dd>
        <dt>{t.from}</dt>
        <dd>{m.from}</dd>
        <dt>{t.toOne}</dt>
        <dd>{m.to.join(', ')}</dd>
        <dt>{t.subject}</dt>
        <dd>{subject}</dd>
        <dt>Message-ID</dt>
        <dd>
          <code>{m.messageId}</code>
        </dd>
      </dl>
      {m.html !== null ? (
        <>
          <h2>{t.html}</h2>
          {/* The email's own HTML, the one raw document of the service: as srcdoc it is an attribute,
              so the renderer escapes it into one inert string, and the empty sandbox keeps scripts,
              forms and same-origin access away from the catcher's page. Its links are listed below. */}
          <iframe sandbox="" referrerpolicy="no-referrer" title={t.htmlFrame} srcdoc={m.html} />
        </>
      ) : null}
      {links.length > 0 ? (
        <>
          <h2>{t.links}</h2>
          <ul class="mail-links">
            {links.map((href) => (
              <li>
                <a href={href} rel="noreferrer">
                  {href}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>{t.text}</h2>
      {m.text ? <pre>{m.text}</pre> : <p class="muted">{t.noText}</p>}
      {m.attachments.length > 0 ? (
        <>
          <h2>{t.attachments}</h2>
          <ul>
            {m.attachments.map((a, i) => (
              <li>
                {p.attachmentHref ? (
                  <a href={p.attachmentHref(i)} download={a.filename || undefined}>
                    {a.filename || t.noName}
                  </a>
                ) : (
                  a.filename || t.noName
                )}{' '}
                <span class="muted">
                  ({a.contentType}, {a.size.toLocaleString(locale === 'it' ? 'it-IT' : 'en-GB')} {t.bytes})
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <details>
        <summary>{t.headers}</summary>
        <table>
          <caption class="visually-hidden">{t.headersCaption}</caption>
          <tbody>
            {Object.entries(m.headers).map(([k, v]) => (
              <tr>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Layout>
  );
}
