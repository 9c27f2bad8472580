import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import {
  MailCatcher,
  renderInbox,
  renderMessagePage,
  type CaughtMessage,
  type MailCatcherOptions,
} from '../../mail/mail-catcher';
import { renderMessage, sampleContext } from '../../mail/render';

const FROM = '"ConciliaFlow" <noreply@conciliaflow.example>';

let dirs: string[] = [];
let catchers: MailCatcher[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-catcher-'));
  dirs.push(dir);
  return dir;
}

async function startCatcher(opts: MailCatcherOptions = {}): Promise<MailCatcher> {
  const catcher = await MailCatcher.start({ port: 0, ...opts });
  catchers.push(catcher);
  return catcher;
}

function transportFor(catcher: MailCatcher, auth?: { user: string; pass: string }) {
  return nodemailer.createTransport({ host: '127.0.0.1', port: catcher.port, secure: false, ignoreTLS: true, auth });
}

function emlFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.eml'));
}

afterEach(async () => {
  await Promise.all(catchers.map((c) => c.stop()));
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  catchers = [];
  dirs = [];
});

describe('MailCatcher', () => {
  it('listens on a random loopback port and catches a rendered message sent with nodemailer', async () => {
    const catcher = await startCatcher();
    expect(catcher.host).toBe('127.0.0.1');
    expect(catcher.port).toBeGreaterThan(0);

    const rendered = renderMessage('step-reminder', 'it', sampleContext('step-reminder', 'it'));
    const transport = transportFor(catcher);
    const info = await transport.sendMail({
      from: FROM,
      to: 'giulia.colombo@brambilla.example',
      bcc: 'archivio@conciliaflow.example',
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      attachments: [{ filename: 'piano-conciliazione.txt', content: 'Piano aziendale', contentType: 'text/plain' }],
    });
    transport.close();
    expect(info.response).toMatch(/^250 /);

    const messages = catcher.messages();
    expect(messages).toHaveLength(1);
    const [message] = messages as [CaughtMessage];
    expect(message.id).toMatch(/^[a-f0-9]{12}$/);
    expect(message.receivedAt).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - message.receivedAt.getTime())).toBeLessThan(10_000);
    expect(message.subject).toBe(rendered.subject);
    expect(message.subject).toContain('«Questionario sui bisogni del personale»');
    expect(message.to).toEqual(['giulia.colombo@brambilla.example', 'archivio@conciliaflow.example']);
    expect(message.from).toBe(FROM);
    expect(message.messageId).toBe(info.messageId);
    expect(message.text.trim()).toBe(rendered.text.trim());
    expect(message.html).toBe(rendered.html);
    expect(message.headers.subject).toBe(rendered.subject);
    expect(message.headers['message-id']).toBe(info.messageId);
    expect(message.headers['x-envelope-to']).toBe('giulia.colombo@brambilla.example, archivio@conciliaflow.example');
    expect(message.headers.bcc).toBeUndefined();
    expect(message.attachments).toEqual([
      { filename: 'piano-conciliazione.txt', contentType: 'text/plain', size: 'Piano aziendale'.length },
    ]);
    expect(message.raw).toMatch(/^Return-Path: <noreply@conciliaflow\.example>\r\n/);
  });

  it('accepts clients that authenticate, without TLS', async () => {
    const catcher = await startCatcher();
    const transport = transportFor(catcher, { user: 'smtp-user', pass: 'secret' });
    await transport.sendMail({ from: FROM, to: 'a@example.org', subject: 'Con credenziali', text: 'ok' });
    transport.close();
    expect(catcher.messages().map((m) => m.subject)).toEqual(['Con credenziali']);
  });

  it('keeps messages newest first and caps how many stay in memory', async () => {
    const catcher = await startCatcher({ maxMessages: 2 });
    const transport = transportFor(catcher);
    for (const n of [1, 2, 3])
      await transport.sendMail({ from: FROM, to: 'a@example.org', subject: `n. ${n}`, text: 'x' });
    transport.close();
    expect(catcher.messages().map((m) => m.subject)).toEqual(['n. 3', 'n. 2']);
  });

  it('persists each message as an .eml file that a restarted catcher loads', async () => {
    const dir = tempDir();
    const first = await startCatcher({ dir });
    const transport = transportFor(first);
    const info = await transport.sendMail({
      from: FROM,
      to: ['luca.brambilla@brambilla.example', 'giulia.colombo@brambilla.example'],
      subject: 'Attività completata: «Analisi dei bisogni di conciliazione»',
      text: 'Il prossimo passo è il piano aziendale.',
    });
    transport.close();

    const [original] = first.messages() as [CaughtMessage];
    const files = emlFiles(dir);
    expect(files).toEqual([expect.stringMatching(new RegExp(`^\\d{8}T\\d{9}Z-${original.id}\\.eml$`))]);
    expect(fs.readFileSync(path.join(dir, files[0]!), 'utf8')).toBe(original.raw);
    await first.stop();

    const second = await startCatcher({ dir });
    expect(second.port).not.toBe(0);
    const loaded = second.messages();
    expect(loaded).toHaveLength(1);
    const [reloaded] = loaded as [CaughtMessage];
    expect(reloaded.id).toBe(original.id);
    expect(reloaded.receivedAt.getTime()).toBe(original.receivedAt.getTime());
    expect(reloaded.messageId).toBe(info.messageId);
    expect(reloaded.subject).toBe('Attività completata: «Analisi dei bisogni di conciliazione»');
    expect(reloaded.to).toEqual(['luca.brambilla@brambilla.example', 'giulia.colombo@brambilla.example']);
    expect(reloaded.text.trim()).toBe('Il prossimo passo è il piano aziendale.');
    expect(second.get(original.id)?.messageId).toBe(info.messageId);
  });

  it('loads hand-copied .eml files, newest first', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'manuale.eml'),
      'From: a@example.org\r\nTo: b@example.org, c@example.org\r\nSubject: Copiato a mano\r\nMessage-ID: <m1@example.org>\r\n\r\nCorpo\r\n',
    );
    fs.utimesSync(path.join(dir, 'manuale.eml'), new Date('2025-01-01T10:00:00Z'), new Date('2025-01-01T10:00:00Z'));
    fs.writeFileSync(
      path.join(dir, '20250301T090000000Z-abc123def456.eml'),
      'From: a@example.org\r\nTo: b@example.org\r\nSubject: Piu recente\r\n\r\nCorpo\r\n',
    );
    const catcher = await startCatcher({ dir });
    const messages = catcher.messages();
    expect(messages.map((m) => m.id)).toEqual(['abc123def456', 'manuale']);
    expect(messages[0]?.receivedAt.toISOString()).toBe('2025-03-01T09:00:00.000Z');
    expect(messages[1]?.to).toEqual(['b@example.org', 'c@example.org']);
    expect(messages[1]?.messageId).toBe('<m1@example.org>');
  });

  it('refuses messages with the configured SMTP code while a failure is set, then accepts again', async () => {
    const dir = tempDir();
    const catcher = await startCatcher({ dir });
    const transport = transportFor(catcher);
    const mail = { from: FROM, to: 'giulia.colombo@brambilla.example', subject: 'Promemoria', text: 'x' };

    catcher.setFailure({ code: 451, message: 'Temporary local problem, try again' });
    await expect(transport.sendMail(mail)).rejects.toMatchObject({
      responseCode: 451,
      message: expect.stringContaining('Temporary local problem, try again'),
    });
    expect(catcher.messages()).toEqual([]);
    expect(emlFiles(dir)).toEqual([]);

    catcher.setFailure({ code: 550, message: 'Mailbox unavailable' });
    await expect(transport.sendMail(mail)).rejects.toMatchObject({ responseCode: 550 });
    expect(catcher.messages()).toEqual([]);

    catcher.setFailure(null);
    const info = await transport.sendMail(mail);
    transport.close();
    expect(catcher.messages().map((m) => m.messageId)).toEqual([info.messageId]);
    expect(emlFiles(dir)).toHaveLength(1);
  });

  it('can start in failure mode and rejects invalid failure codes', async () => {
    const catcher = await startCatcher({ rejectWith: { code: 452, message: 'Insufficient storage' } });
    const transport = transportFor(catcher);
    await expect(
      transport.sendMail({ from: FROM, to: 'a@example.org', subject: 's', text: 't' }),
    ).rejects.toMatchObject({ responseCode: 452 });
    transport.close();
    expect(catcher.messages()).toHaveLength(0);
    expect(() => catcher.setFailure({ code: 250, message: 'not a failure' })).toThrow(RangeError);
  });

  it('waitFor resolves with a message already caught or the next matching one, and times out otherwise', async () => {
    const catcher = await startCatcher();
    const transport = transportFor(catcher);

    const pending = catcher.waitFor((m) => m.to.includes('consulente@rete.example'));
    await transport.sendMail({ from: FROM, to: 'altro@example.org', subject: 'Non questo', text: 'x' });
    await transport.sendMail({ from: FROM, to: 'consulente@rete.example', subject: 'Escalation', text: 'x' });
    await expect(pending).resolves.toMatchObject({ subject: 'Escalation' });

    await expect(catcher.waitFor((m) => m.subject === 'Non questo')).resolves.toMatchObject({
      to: ['altro@example.org'],
    });
    await expect(catcher.waitFor((m) => m.subject === 'Mai arrivato', 50)).rejects.toThrow(
      /no matching message within 50 ms \(2 caught so far\)/,
    );
    transport.close();
  });

  it('clear() forgets messages in memory and on disk', async () => {
    const dir = tempDir();
    const catcher = await startCatcher({ dir });
    const transport = transportFor(catcher);
    await transport.sendMail({ from: FROM, to: 'a@example.org', subject: 'Da cancellare', text: 'x' });
    transport.close();
    expect(emlFiles(dir)).toHaveLength(1);

    catcher.clear();
    expect(catcher.messages()).toEqual([]);
    expect(emlFiles(dir)).toEqual([]);
    await catcher.stop();
    const restarted = await startCatcher({ dir });
    expect(restarted.messages()).toEqual([]);
  });

  it('holdRcpt() keeps a transaction waiting at RCPT until releaseRcpt(); nothing is accepted meanwhile', async () => {
    const catcher = await startCatcher();
    catcher.holdRcpt();
    const transport = transportFor(catcher);
    const sent = transport.sendMail({ from: FROM, to: 'held@brambilla.example', subject: 'held', text: 'x' });
    await new Promise<void>((resolve) => {
      const poll = () => (catcher.activity().waitingRcpt === 1 ? resolve() : setTimeout(poll, 10));
      poll();
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(catcher.messages()).toHaveLength(0);
    expect(catcher.activity()).toEqual({ waitingRcpt: 1, lastAcceptedAt: 0 });

    catcher.releaseRcpt();
    await sent;
    expect(catcher.messages().map((m) => m.to)).toEqual([['held@brambilla.example']]);
    expect(catcher.activity().waitingRcpt).toBe(0);
    expect(catcher.activity().lastAcceptedAt).toBeGreaterThan(0);
    transport.close();
  });

  it('stop() rejects pending waiters and frees the port', async () => {
    const catcher = await startCatcher();
    const pending = catcher.waitFor(() => true, 5_000);
    await catcher.stop();
    await expect(pending).rejects.toThrow('mail catcher stopped');
    const transport = transportFor(catcher);
    await expect(
      transport.sendMail({ from: FROM, to: 'a@example.org', subject: 's', text: 't' }),
    ).rejects.toMatchObject({ code: 'ESOCKET' });
    transport.close();
  });
});

describe('mail catcher viewer', () => {
  const message: CaughtMessage = {
    id: 'abc123def456',
    receivedAt: new Date('2025-03-14T16:00:00Z'),
    from: '"ConciliaFlow" <noreply@conciliaflow.example>',
    to: ['giulia.colombo@brambilla.example'],
    subject: 'Scade oggi: <b>«Questionario»</b> & altro',
    text: 'Riga 1\n<script>alert(1)</script>',
    html: '<p class="x">Ciao "Giulia" & co.</p><script>alert(1)</script>',
    messageId: '<1234@conciliaflow.example>',
    headers: { subject: 'Scade oggi', 'x-custom': '<evil>' },
    attachments: [{ filename: 'piano.pdf', contentType: 'application/pdf', size: 2048 }],
    raw: '',
  };

  it('lists messages with Rome time, recipients and escaped subjects', () => {
    const page = renderInbox([message]);
    expect(page).toMatch(/^<!doctype html>\n<html lang="it">/i);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"');
    expect(page).toContain('<h1>Posta in uscita (mail catcher)</h1>');
    expect(page).toContain('1 messaggio ricevuto');
    expect(page).toContain('<time datetime="2025-03-14T16:00:00.000Z">14/03/2025, 17:00:00</time>');
    expect(page).toContain('giulia.colombo@brambilla.example');
    expect(page).toContain('<a href="/mail/abc123def456">Scade oggi: &lt;b>«Questionario»&lt;/b> &amp; altro</a>');
    expect(page).toContain('<th scope="col">Oggetto</th>');
    expect(page).not.toContain('<b>');

    expect(renderInbox([message], { basePath: '/dev/mail/', refreshSeconds: 5 })).toContain(
      'href="/dev/mail/abc123def456"',
    );
    expect(renderInbox([message], { refreshSeconds: 5 })).toContain('<meta http-equiv="refresh" content="5"');
    const empty = renderInbox([]);
    expect(empty).toContain('Nessun messaggio ricevuto.');
    expect(empty).not.toContain('<table');
  });

  it('shows one message with headers, text and the HTML part in a sandboxed srcdoc frame', () => {
    const page = renderMessagePage(message, { rawHref: '/mail/abc123def456.eml' });
    expect(page).toContain('<html lang="it">');
    expect(page).toContain('<h1>Scade oggi: &lt;b>«Questionario»&lt;/b> &amp; altro</h1>');
    expect(page).toContain('<a href="/mail">← Torna alla posta in uscita</a>');
    expect(page).toContain('href="/mail/abc123def456.eml" download');
    expect(page).toContain(
      '<iframe sandbox referrerpolicy="no-referrer" title="Anteprima HTML del messaggio" srcdoc="&lt;p class=&quot;x&quot;>Ciao &quot;Giulia&quot; &amp; co.&lt;/p>&lt;script>alert(1)&lt;/script>"></iframe>',
    );
    expect(page).toContain('<pre>Riga 1\n&lt;script>alert(1)&lt;/script></pre>');
    expect(page).not.toContain('<script');
    expect(page).toContain('<code>&lt;1234@conciliaflow.example></code>');
    expect(page).toContain('<tr><th scope="row">x-custom</th><td>&lt;evil></td></tr>');
    expect(page).toContain('piano.pdf');
    expect(page).toContain('14/03/2025, 17:00:00');

    const textOnly = renderMessagePage({ ...message, html: null });
    expect(textOnly).not.toContain('<iframe');
    expect(textOnly).not.toContain('.eml');
  });
});
