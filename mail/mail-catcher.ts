import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';
import pino, { type Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerEnvelope, type SMTPServerSession } from 'smtp-server';
import { redactingLogger } from '../infra/log-redaction';

export { renderInbox, renderMessagePage, type InboxOptions, type MessagePageOptions } from './mail-catcher-view';

export interface CaughtAttachment {
  filename: string;
  contentType: string;
  size: number;
}

export interface CaughtMessage {
  /** Unique, URL-safe; also the suffix of the .eml file name. */
  id: string;
  receivedAt: Date;
  /** The From header as written by the sender, e.g. `"ConciliaFlow" <noreply@example.org>`. */
  from: string;
  /** Envelope recipients (RCPT TO), so Bcc recipients are listed too. */
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** With angle brackets, as nodemailer's `info.messageId`. */
  messageId: string;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  attachments: CaughtAttachment[];
  /** The stored message, including the Return-Path / X-Envelope-To lines the catcher prepends. */
  raw: string;
}

/** An SMTP reply to give instead of accepting: 4xx asks the client to retry later, 5xx is final. */
export interface SmtpFailure {
  code: number;
  message: string;
  /** Refuse only messages to these addresses (a mailbox that does not exist); absent: refuse all. */
  only?: string[];
}

export interface MailCatcherOptions {
  /** 0 (the default) picks a free port; read it back from `catcher.port`. */
  port?: number;
  host?: string;
  /** Keep every message as `<dir>/<timestamp>-<id>.eml` too, and load the newest ones back on start. */
  dir?: string;
  logger?: Logger;
  /** Start already failing, as `setFailure` would. */
  rejectWith?: SmtpFailure | null;
  /** Messages kept in memory, newest first. */
  maxMessages?: number;
}

const DEFAULT_MAX_MESSAGES = 1000;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const EML_FILE = /^(\d{8}T\d{9}Z)-([A-Za-z0-9_-]+)\.eml$/;

interface Waiter {
  predicate: (message: CaughtMessage) => boolean;
  resolve: (message: CaughtMessage) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** 2025-03-14T16:00:00.123Z -> 20250314T160000123Z: sorts chronologically and is safe in file names. */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function parseFileStamp(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`) : new Date(NaN);
}

/** What a delivering MTA would add, so the envelope survives in the .eml file. */
function envelopeHeaders(envelope: SMTPServerEnvelope): string {
  const lines: string[] = [];
  if (envelope.mailFrom) lines.push(`Return-Path: <${envelope.mailFrom.address}>`);
  if (envelope.rcptTo.length > 0) {
    // Folded after each address: a long recipient list would otherwise exceed the 998-octet line limit.
    lines.push(`X-Envelope-To: ${envelope.rcptTo.map((rcpt) => rcpt.address).join(',\r\n ')}`);
  }
  return lines.map((line) => `${line}\r\n`).join('');
}

function addressesOf(value: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const walk = (entries: { address?: string; group?: unknown[] }[]): void => {
    for (const entry of entries) {
      if (entry.address) out.push(entry.address);
      if (entry.group) walk(entry.group as { address?: string; group?: unknown[] }[]);
    }
  };
  for (const header of value === undefined ? [] : Array.isArray(value) ? value : [value]) walk(header.value);
  return out;
}

function isAddressObject(value: unknown): value is AddressObject {
  return typeof value === 'object' && value !== null && 'value' in value && 'text' in value;
}

/** Decoded text where mailparser has it (subjects, addresses), the unfolded raw value otherwise (dates, parameters). */
function headerRecord(parsed: ParsedMail): Record<string, string> {
  const raw = new Map<string, string[]>();
  for (const { key, line } of parsed.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    raw.set(key, [...(raw.get(key) ?? []), value]);
  }
  const decoded = (value: HeaderValue | undefined): string | undefined => {
    if (typeof value === 'string') return value;
    if (isAddressObject(value)) return value.text;
    if (Array.isArray(value)) {
      const items = (value as unknown[]).map((item) =>
        typeof item === 'string' ? item : isAddressObject(item) ? item.text : undefined,
      );
      return items.every((item) => item !== undefined) ? items.join(', ') : undefined;
    }
    return undefined;
  };
  const out: Record<string, string> = {};
  for (const [key, values] of raw) out[key] = decoded(parsed.headers.get(key)) ?? values.join(', ');
  return out;
}

async function toCaughtMessage(id: string, receivedAt: Date, raw: Buffer): Promise<CaughtMessage> {
  const parsed = await simpleParser(raw);
  const headers = headerRecord(parsed);
  const envelopeTo = headers['x-envelope-to']
    ?.split(',')
    .map((address) => address.trim())
    .filter(Boolean);
  return {
    id,
    receivedAt,
    from: parsed.from?.text ?? headers['return-path'] ?? '',
    to: envelopeTo?.length ? envelopeTo : [...addressesOf(parsed.to), ...addressesOf(parsed.cc)],
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: parsed.html || null,
    messageId: parsed.messageId ?? '',
    headers,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '',
      contentType: a.contentType,
      size: a.size,
    })),
    raw: raw.toString('utf8'),
  };
}

/**
 * The embedded stack's local SMTP sink: accepts everything on loopback, delivers nothing, and keeps
 * what it received for tests and for the HTML viewer.
 */
export class MailCatcher {
  readonly host: string;
  readonly dir: string | undefined;
  private portNumber = 0;
  private store: CaughtMessage[] = [];
  private failure: SmtpFailure | null = null;
  private rcptDelayMs = 0;
  private rcptWaiting = 0;
  /** While not null, RCPT answers wait here until releaseRcpt(). */
  private heldRcpt: Array<() => void> | null = null;
  private lastAcceptedAt = 0;
  private stopped = false;
  private readonly waiters = new Set<Waiter>();
  private readonly maxMessages: number;
  private readonly log: Logger;
  private readonly server: SMTPServer;

  private constructor(opts: MailCatcherOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.dir = opts.dir ? path.resolve(opts.dir) : undefined;
    this.maxMessages = opts.maxMessages ?? DEFAULT_MAX_MESSAGES;
    this.log = redactingLogger((opts.logger ?? pino({ level: 'silent' })).child({ component: 'mail-catcher' }));
    this.setFailure(opts.rejectWith ?? null);
    this.server = new SMTPServer({
      name: 'localhost',
      banner: 'ConciliaFlow mail catcher',
      authOptional: true,
      // Services configured with SMTP credentials must work against the catcher unchanged.
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anonymous' }),
      disabledCommands: ['STARTTLS'],
      size: MAX_MESSAGE_BYTES,
      rejectOversized: true,
      disableReverseLookup: true,
      logger: false,
      // A client that never sends QUIT must not hold stop() for smtp-server's default 30 s.
      closeTimeout: 1000,
      onData: (stream, session, callback) => this.onData(stream, session, callback),
      // A slow relay, for fault tests: each recipient is answered after a delay, before any data is sent.
      onRcptTo: (_address, _session, callback) => {
        if (this.heldRcpt) {
          this.rcptWaiting++;
          this.heldRcpt.push(() => {
            this.rcptWaiting--;
            callback();
          });
          return;
        }
        if (this.rcptDelayMs === 0) return callback();
        this.rcptWaiting++;
        setTimeout(() => {
          this.rcptWaiting--;
          callback();
        }, this.rcptDelayMs);
      },
    });
    // smtp-server emits connection-level errors (resets, timeouts) here; without a listener they would crash.
    this.server.on('error', (err: Error) => this.log.warn({ err }, 'SMTP connection error'));
  }

  static async start(opts: MailCatcherOptions = {}): Promise<MailCatcher> {
    const catcher = new MailCatcher(opts);
    if (catcher.dir) await catcher.loadDir(catcher.dir);
    await catcher.listen(opts.port ?? 0);
    catcher.log.info(
      { host: catcher.host, port: catcher.port, dir: catcher.dir, loaded: catcher.store.length },
      'mail catcher listening',
    );
    return catcher;
  }

  get port(): number {
    return this.portNumber;
  }

  /** Newest first. */
  messages(): CaughtMessage[] {
    return [...this.store];
  }

  get(id: string): CaughtMessage | undefined {
    return this.store.find((message) => message.id === id);
  }

  /** Resolves with the newest already-caught message that matches, or the next one to arrive. */
  waitFor(predicate: (message: CaughtMessage) => boolean, timeoutMs = 10_000): Promise<CaughtMessage> {
    const existing = this.store.find(predicate);
    if (existing) return Promise.resolve(existing);
    if (this.stopped) return Promise.reject(new Error('mail catcher is stopped'));
    return new Promise<CaughtMessage>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new Error(`mail catcher: no matching message within ${timeoutMs} ms (${this.store.length} caught so far)`),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Forgets every message, on disk too, so that a restart does not bring them back. */
  clear(): void {
    this.store = [];
    if (!this.dir || !fs.existsSync(this.dir)) return;
    for (const name of fs.readdirSync(this.dir)) {
      if (name.endsWith('.eml')) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }

  /** While set, every message is refused at the end of DATA with this reply and is not kept. */
  setFailure(mode: SmtpFailure | null): void {
    if (mode && (!Number.isInteger(mode.code) || mode.code < 400 || mode.code > 599)) {
      throw new RangeError(`SMTP failure code must be 4xx or 5xx, got ${mode.code}`);
    }
    this.failure = mode
      ? { code: mode.code, message: mode.message, only: mode.only?.map((a) => a.toLowerCase()) }
      : null;
    if (this.server) this.log.info({ failure: this.failure }, 'mail catcher failure mode changed');
  }

  /** Answer every RCPT TO after `ms` (0: at once), like a slow relay. */
  setRcptDelay(ms: number): void {
    this.rcptDelayMs = Math.max(0, ms);
  }

  /**
   * From now on, every RCPT TO waits for releaseRcpt(): a relay that stops answering mid-transaction.
   * Tests use it to kill a sender while it is certainly inside a transaction, not between a 250 and
   * its record (answers already being delayed by setRcptDelay still come).
   */
  holdRcpt(): void {
    this.heldRcpt ??= [];
  }

  /** Answers every held RCPT TO (a closed connection's answer goes nowhere) and stops holding. */
  releaseRcpt(): void {
    const held = this.heldRcpt ?? [];
    this.heldRcpt = null;
    for (const answer of held) answer();
  }

  /** Transactions waiting for their RCPT answer, and when the last message was accepted (epoch ms). */
  activity(): { waitingRcpt: number; lastAcceptedAt: number } {
    return { waitingRcpt: this.rcptWaiting, lastAcceptedAt: this.lastAcceptedAt };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.releaseRcpt();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('mail catcher stopped'));
    }
    this.waiters.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.log.info({ port: this.port }, 'mail catcher stopped');
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.server.address();
    this.portNumber = typeof address === 'object' && address ? address.port : port;
  }

  private async loadDir(dir: string): Promise<void> {
    // The .eml files carry working opt-out links: readable by the service's user only.
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.promises.chmod(dir, 0o700);
    const files = (await fs.promises.readdir(dir)).filter((name) => name.endsWith('.eml'));
    // Files left readable by an earlier version are closed too (a file of another user stays as it is).
    await Promise.all(files.map((name) => fs.promises.chmod(path.join(dir, name), 0o600).catch(() => undefined)));
    const entries = await Promise.all(
      files.map(async (name) => {
        const match = EML_FILE.exec(name);
        // Hand-copied .eml files are welcome too; their modification time stands in for the arrival time.
        const receivedAt =
          match?.[1] !== undefined ? parseFileStamp(match[1]) : (await fs.promises.stat(path.join(dir, name))).mtime;
        return { name, id: match?.[2] ?? name.slice(0, -'.eml'.length), receivedAt };
      }),
    );
    entries.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
    for (const entry of entries.slice(0, this.maxMessages)) {
      try {
        const raw = await fs.promises.readFile(path.join(dir, entry.name));
        this.store.push(await toCaughtMessage(entry.id, entry.receivedAt, raw));
      } catch (err) {
        this.log.warn({ err, file: entry.name }, 'skipping unreadable .eml file');
      }
    }
  }

  private onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      this.receive(Buffer.concat(chunks), session.envelope, stream.sizeExceeded).then(
        (message) => {
          this.lastAcceptedAt = Date.now();
          callback(null, `OK: queued as ${message.id}`);
        },
        (err: Error) => callback(err),
      );
    });
  }

  private async receive(data: Buffer, envelope: SMTPServerEnvelope, sizeExceeded: boolean): Promise<CaughtMessage> {
    if (sizeExceeded) throw smtpError(552, `Message exceeds the ${MAX_MESSAGE_BYTES} bytes limit`);
    const failure = this.failure;
    const hit = (a: string) => !failure?.only || failure.only.includes(a.toLowerCase());
    if (failure && envelope.rcptTo.some((r) => hit(r.address))) {
      this.log.info(
        { code: failure.code, to: envelope.rcptTo.map((r) => r.address) },
        'message refused (failure mode)',
      );
      throw smtpError(failure.code, failure.message);
    }
    const receivedAt = new Date();
    const id = crypto.randomBytes(6).toString('hex');
    const raw = Buffer.concat([Buffer.from(envelopeHeaders(envelope), 'utf8'), data]);
    let message: CaughtMessage;
    try {
      message = await toCaughtMessage(id, receivedAt, raw);
    } catch (err) {
      this.log.warn({ err }, 'could not parse message');
      throw smtpError(554, 'Message could not be parsed');
    }
    if (this.dir) {
      try {
        // Written before the 250 reply: an accepted message must survive a restart.
        await fs.promises.writeFile(path.join(this.dir, `${fileStamp(receivedAt)}-${id}.eml`), raw, {
          flag: 'wx',
          mode: 0o600,
        });
      } catch (err) {
        this.log.error({ err, dir: this.dir }, 'could not store message');
        throw smtpError(451, 'Local error: message could not be stored, try again later');
      }
    }
    this.store.unshift(message);
    if (this.store.length > this.maxMessages) this.store.length = this.maxMessages;
    this.log.info({ id, to: message.to, subject: message.subject }, 'mail caught');
    this.notify(message);
    return message;
  }

  private notify(message: CaughtMessage): void {
    for (const waiter of [...this.waiters]) {
      let matches: boolean;
      try {
        matches = waiter.predicate(message);
      } catch (err) {
        this.settle(waiter);
        waiter.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (matches) {
        this.settle(waiter);
        waiter.resolve(message);
      }
    }
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }
}
