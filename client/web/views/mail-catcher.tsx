/**
 * The mail catcher's pages (embedded stack, admins only). URL layout assumed by the links: the
 * inbox at `basePath`, one message at `basePath/<id>`.
 */
import type { CaughtMessage } from '../../../mail/mail-catcher';
import { Layout } from './layout';

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

const messageHref = (basePath: string, id: string) => `${basePath.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;

function When({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{dateTime.format(date)}</time>;
}

const robots = <meta name="robots" content="noindex" />;

export function InboxPage(p: { messages: readonly CaughtMessage[]; basePath: string; refreshSeconds?: number }) {
  const count = p.messages.length === 1 ? '1 messaggio ricevuto' : `${p.messages.length} messaggi ricevuti`;
  const refresh =
    p.refreshSeconds && p.refreshSeconds > 0 ? (
      <meta http-equiv="refresh" content={String(Math.round(p.refreshSeconds))} />
    ) : null;
  return (
    <Layout
      locale="it"
      title={TITLE}
      head={
        <>
          {robots}
          {refresh}
        </>
      }
    >
      <h1>{TITLE}</h1>
      <p class="muted">
        {count} dal server SMTP locale, i più recenti per primi. Nessun messaggio viene consegnato ai destinatari reali.
      </p>
      {p.messages.length === 0 ? (
        <p>Nessun messaggio ricevuto.</p>
      ) : (
        <table class="responsive">
          <caption class="visually-hidden">Messaggi ricevuti</caption>
          <thead>
            <tr>
              <th scope="col">Data</th>
              <th scope="col">Destinatari</th>
              <th scope="col">Oggetto</th>
            </tr>
          </thead>
          <tbody>
            {p.messages.map((m) => (
              <tr>
                <td data-label="Data">
                  <When date={m.receivedAt} />
                </td>
                <td data-label="Destinatari">{m.to.join(', ')}</td>
                <td data-label="Oggetto">
                  <a href={messageHref(p.basePath, m.id)}>{m.subject ? m.subject : <em>(senza oggetto)</em>}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/** One message: summary, HTML part in a sandboxed frame, text part, full headers and attachments. */
export function MessagePage(p: { message: CaughtMessage; basePath: string; rawHref?: string }) {
  const m = p.message;
  const subject = m.subject || '(senza oggetto)';
  return (
    <Layout locale="it" title={`${subject} · ${TITLE}`} head={robots}>
      <p>
        <a href={p.basePath}>← Torna alla posta in uscita</a>
        {p.rawHref ? (
          <>
            {' · '}
            <a href={p.rawHref} download>
              Scarica il file .eml
            </a>
          </>
        ) : null}
      </p>
      <h1>{subject}</h1>
      <dl class="meta">
        <dt>Data</dt>
        <dd>
          <When date={m.receivedAt} />
        </dd>
        <dt>Da</dt>
        <dd>{m.from}</dd>
        <dt>A</dt>
        <dd>{m.to.join(', ')}</dd>
        <dt>Oggetto</dt>
        <dd>{subject}</dd>
        <dt>Message-ID</dt>
        <dd>
          <code>{m.messageId}</code>
        </dd>
      </dl>
      {m.html !== null ? (
        <>
          <h2>Versione HTML</h2>
          {/* The email's own HTML, the one raw document of the service: as srcdoc it is an attribute,
              so the renderer escapes it into one inert string, and the empty sandbox keeps scripts,
              forms and same-origin access away from the catcher's page. */}
          <iframe sandbox="" referrerpolicy="no-referrer" title="Anteprima HTML del messaggio" srcdoc={m.html} />
        </>
      ) : null}
      <h2>Versione testo</h2>
      {m.text ? <pre>{m.text}</pre> : <p class="muted">Il messaggio non ha una parte di testo.</p>}
      {m.attachments.length > 0 ? (
        <>
          <h2>Allegati</h2>
          <ul>
            {m.attachments.map((a) => (
              <li>
                {a.filename || '(senza nome)'}{' '}
                <span class="muted">
                  ({a.contentType}, {a.size.toLocaleString('it-IT')} byte)
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <details>
        <summary>Intestazioni complete</summary>
        <table>
          <caption class="visually-hidden">Intestazioni del messaggio</caption>
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
