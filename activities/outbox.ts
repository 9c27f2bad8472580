/**
 * Every email goes through the outbox: a row per (cause, recipient) with a unique idempotency key
 * and a stable Message-ID, then SMTP. A retried activity finds the row and never re-sends a
 * message the SMTP server already accepted and we recorded.
 */
import crypto from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { formatRomeDateTime, isWithinSendWindow, nextSendWindow } from '../domain/calendar';
import type { Db } from '../infra/db';
import { directSqlOf } from '../infra/db';
import { newId } from '../infra/ids';
import { insertRows, Sql, sql } from '../infra/direct-sql';
import { buildDeadlineIcs, ICS_CONTENT_TYPE } from '../mail/ics';
import { MESSAGE_NAMES, messageOf, type EnrollmentContext } from '../mail/messages';
import { renderMessage, TemplateError } from '../mail/render';
import { isEssential, signPreferenceToken } from '../mail/preferences';
import { redactingLogger } from '../infra/log-redaction';
import type { Text } from '../domain/catalogue';
import type { ContextValue, MailAttachment, NotifyInput, NotifyResult, TemplateName } from './types';
import type { Locale } from '../domain/locale';
import { SEND_WINDOW_GRACE_MS } from '../mail/send-window';
import { createRecipientResolver, type ResolvedRecipient } from './recipients';
import { createUploadGuidance } from './upload-guidance';

type OutboxRow = NonNullable<Awaited<ReturnType<Db['outboxMessage']['findUnique']>>>;

export interface MailDeps {
  db: Db;
  transport: Transporter;
  from: string;
  publicUrl: string;
  logger: Logger;
  /** Signs the opt-out links (at least 32 bytes). */
  preferencesSecret: string;
  /**
   * A consultant with at least this many overdue pathways gets escalations in the daily digest
   * instead of one email each. Undefined: always send escalations alone.
   */
  digestThreshold?: number;
  /** The clock; tests move it. */
  now?: () => number;
}

/**
 * Messages that wait for a send window (working day, office hours, Europe/Rome). They are planned
 * inside one; the check at send time catches those delayed by an outage (worker or SMTP down).
 */
export const WINDOWED_TEMPLATES: ReadonlySet<string> = new Set(
  MESSAGE_NAMES.filter((name) => messageOf(name)?.window === 'office-hours'),
);

export { SEND_WINDOW_GRACE_MS };

/**
 * When a windowed message runs late and outside office hours, the delay until the next window
 * (the activity is retried then, through Temporal's nextRetryDelay); otherwise 0.
 */
export function sendWindowDelay(template: string, scheduledAt: number | undefined, now: number): number {
  if (!WINDOWED_TEMPLATES.has(template) || scheduledAt === undefined) return 0;
  if (now - scheduledAt <= SEND_WINDOW_GRACE_MS || isWithinSendWindow(now)) return 0;
  return nextSendWindow(now) - now;
}

function scheduledTimestamp(): number | undefined {
  try {
    return Context.current().info.scheduledTimestampMs;
  } catch {
    return undefined; // Called outside an activity (tests, scripts): nothing was planned.
  }
}

const OPT_OUT_LINK_DAYS = 180;

/** Resolve `{it, en}` texts and `...At` timestamps for one recipient's language. */
export function localizeContext(context: Record<string, ContextValue>, locale: Locale): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) {
    if (Array.isArray(v)) out[k] = v;
    else if (v !== null && typeof v === 'object') out[k] = (v as Text)[locale];
    else if (typeof v === 'number' && k.endsWith('At')) out[k] = formatRomeDateTime(v, locale);
    else out[k] = v;
  }
  return out;
}

export function stableMessageId(key: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'conciliaflow.local';
  return `<${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

/** SMTP 5xx: the server refused for good. Anything else (4xx, connection errors) is worth a retry. */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** A message about a date (its declaration names the deadline) carries an .ics: it lands in the recipient's calendar. */
function icsFor(input: NotifyInput<TemplateName>, locale: Locale, url: string, from: string): string | null {
  const deadline = messageOf(input.template)?.deadline;
  const context: Partial<Record<string, ContextValue>> = input.context;
  const at = deadline ? context[deadline.at] : undefined;
  if (!deadline || typeof at !== 'number') return null;
  const pick = (v: ContextValue | undefined) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Text)[locale] : String(v ?? '');
  const what = pick(context[deadline.title]);
  const organizer = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return buildDeadlineIcs({
    // One event per step deadline, whatever message announced it: a later message updates it.
    uid: `${input.enrollmentId}-${what.replace(/[^\w-]+/g, '-')}-${at}@conciliaflow`,
    title: `${locale === 'it' ? 'Scadenza' : 'Deadline'}: ${what} – ${pick(context.companyName)}`,
    description: pick(context.pathwayName),
    dueAt: at,
    url,
    organizerEmail: organizer,
  });
}

/**
 * SMTP submission of one outbox row exactly as it was rendered and recorded: the same subject,
 * bodies, Message-ID and attachments on every attempt, whoever sends it (activity or dispatcher).
 */
export function submitRow(transport: Transporter, from: string, row: OutboxRow, toName: string | null | undefined) {
  return transport.sendMail({
    from,
    // Structured, never a string: nodemailer quotes or encodes the name, so a name such as
    // `Anna <someone@else.test>` or `Rossi; Mario` can neither redirect the message nor leave it
    // without recipients (an error retried for ever, holding the pathway's Updates).
    to: { name: toName ?? '', address: row.toAddress },
    subject: row.subject,
    html: row.html,
    text: row.text,
    messageId: row.messageId,
    headers: { 'X-Conciliaflow-Key': row.idempotencyKey },
    attachments: [
      ...(row.ics
        ? [
            {
              filename: row.locale === 'it' ? 'scadenza.ics' : 'deadline.ics',
              content: row.ics,
              contentType: ICS_CONTENT_TYPE,
            },
          ]
        : []),
      ...(row.attachments ? (JSON.parse(row.attachments) as MailAttachment[]) : []),
    ],
  });
}

/**
 * The consultant's notice that a participant's address was refused for good, or null when there is
 * nobody to tell (no consultant in the context, the consultant's own address, or a notice itself).
 */
export function deliveryFailedNotice(
  input: NotifyInput<TemplateName>,
  failed: { email: string; reason: string },
  failedSubject: string,
): NotifyInput<'delivery-failed'> | null {
  const context: Partial<Record<string, ContextValue>> = input.context;
  const consultantEmail = context.consultantEmail;
  if (input.template === 'delivery-failed' || typeof consultantEmail !== 'string' || !consultantEmail) return null;
  if (failed.email.toLowerCase() === consultantEmail.toLowerCase()) return null;
  return {
    key: `${input.key}:delivery-failed:${failed.email.toLowerCase()}`,
    enrollmentId: input.enrollmentId,
    template: 'delivery-failed',
    to: [{ name: String(context.consultantName ?? consultantEmail), email: consultantEmail, locale: 'it' }],
    context: {
      // A context with a consultant's address is an enrollment message's: the notice keeps all of it, as before.
      ...(context as EnrollmentContext),
      failedRecipient: input.to.find((t) => t.email === failed.email)?.name ?? failed.email,
      failedEmail: failed.email,
      smtpError: failed.reason,
      failedSubject,
    },
  };
}

export type { OutboxRow };

export function createMailActivities(deps: MailDeps) {
  const { db, transport, from, publicUrl } = deps;
  const logger = redactingLogger(deps.logger);
  const resolveRecipients = createRecipientResolver(db, publicUrl, deps.preferencesSecret);
  const uploadGuidance = createUploadGuidance(db, publicUrl);
  const consultantHasManyOverdue = async (email: string, now: number): Promise<boolean> => {
    if (!email) return false;
    const overdue = await db.enrollment.count({
      where: { consultantEmail: email, status: 'active', currentDueAt: { lt: new Date(now) } },
    });
    return overdue >= (deps.digestThreshold ?? Infinity);
  };
  /**
   * The outbox row of one message, written first and found on conflict: a first attempt (the usual
   * case) costs one insert, and a retry finds the row its earlier attempt wrote.
   */
  const outboxRow = async (
    input: NotifyInput<TemplateName>,
    to: ResolvedRecipient,
    key: string,
    essential: boolean,
    digested: boolean,
  ): Promise<OutboxRow> => {
    // A participant's links open their personal page (no account needed); staff's the dashboard.
    const enrollmentUrl =
      to.participantUrl ?? (input.enrollmentId ? `${publicUrl}/enrollments/${input.enrollmentId}` : publicUrl);
    const isParticipant = to.participantUrl !== undefined;
    // Essential messages go whatever the preferences; only the others look them up.
    const optedOut =
      !essential &&
      (await db.participant.findFirst({
        where: { email: to.email.toLowerCase(), optedOutAt: { not: null } },
        select: { id: true },
      }));
    const token = signPreferenceToken(
      {
        email: to.email.toLowerCase(),
        scope: 'non-essential',
        expiresAt: Date.now() + OPT_OUT_LINK_DAYS * 24 * 3600_000,
      },
      deps.preferencesSecret,
    );
    const ctx = {
      ...localizeContext(input.context, to.locale),
      recipientName: to.name,
      enrollmentUrl,
      // Opting out is a participant's choice; staff get their messages with the role, so no such link.
      unsubscribeUrl: isParticipant ? `${publicUrl}/preferences/opt-out?token=${encodeURIComponent(token)}` : null,
      recipientKind: isParticipant ? 'participant' : input.enrollmentId ? 'staff' : 'unknown',
      // What to upload and where, for the steps whose evidence is a document (welcome, reminders).
      ...(await uploadGuidance(input, to)),
    };
    let rendered: { subject: string; html: string; text: string };
    let renderError: string | undefined;
    try {
      rendered = renderMessage(input.template, to.locale, ctx);
    } catch (err) {
      // A template bug is not fixed by retrying: record it as failed so it is visible and
      // the pathway goes on, instead of retrying the activity forever.
      if (!(err instanceof TemplateError)) throw err;
      renderError = err.message;
      rendered = { subject: `(${input.template}: render failed)`, html: '', text: '' };
      logger.error({ key, template: input.template, err: err.message }, 'email could not be rendered');
    }
    // As Prisma's spread of them had it: a render failure first, then digested over suppressed.
    const status = renderError
      ? 'failed'
      : digested
        ? 'digested'
        : optedOut
          ? 'suppressed'
          : input.sendAt !== undefined
            ? 'scheduled'
            : 'queued';
    const row: OutboxRow = {
      id: newId('obx'),
      idempotencyKey: key,
      enrollmentId: input.enrollmentId ?? null,
      template: input.template,
      locale: to.locale,
      toAddress: to.email,
      toName: to.name,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      ics: renderError ? null : icsFor(input, to.locale, enrollmentUrl, from),
      attachments: input.attachments?.length ? JSON.stringify(input.attachments) : null,
      messageId: stableMessageId(key, from),
      status,
      attempts: 0,
      smtpResponse: null,
      lastError: renderError ?? null,
      createdAt: new Date(),
      sentAt: null,
      sendAt: status === 'scheduled' ? new Date(input.sendAt!) : null,
      claimToken: null,
      claimedAt: null,
      failureNotice:
        status === 'scheduled'
          ? JSON.stringify(deliveryFailedNotice(input, { email: to.email, reason: '' }, rendered.subject))
          : null,
    };
    // Hand-written, straight to the driver adapter (every column spelled out, as Prisma's defaults
    // would fill them): through Prisma, the message's text and HTML went through its query compiler
    // on the worker's one thread, the thread that also carries the next Update's workflow task. A
    // retry meets the row its earlier attempt wrote (same key, same Message-ID) and reads it.
    let inserted = 0;
    const [insert] = insertRows('OutboxMessage', [row]);
    await (
      await directSqlOf(db)
    ).transaction([new Sql([...insert!.parts, ' ON CONFLICT DO NOTHING'])], ([n]) => {
      inserted = n ?? 0;
    });
    return inserted > 0 ? row : await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } });
  };
  /** An escalation to a consultant with many overdue pathways waits for their daily digest. */
  const isDigested = async (input: NotifyInput<TemplateName>, now: number): Promise<boolean> =>
    input.template === 'escalation-consultant' && deps.digestThreshold !== undefined
      ? consultantHasManyOverdue(String(input.context.consultantEmail ?? ''), now)
      : false;
  /** A message for later: its rows wait as `scheduled` (or are found again on a retry). */
  const stage = async (input: NotifyInput<TemplateName>, now: number): Promise<NotifyResult> => {
    const result: NotifyResult = { sent: 0, alreadySent: 0, failed: [], scheduled: 0 };
    const essential = isEssential(input.template);
    const digested = await isDigested(input, now);
    for (const to of await resolveRecipients(input)) {
      const row = await outboxRow(input, to, `${input.key}:${to.email.toLowerCase()}`, essential, digested);
      if (row.status === 'scheduled' || row.status === 'sending') result.scheduled!++;
      else if (row.status === 'sent') result.alreadySent++;
      else if (row.status === 'digested') result.digested = (result.digested ?? 0) + 1;
      else if (row.status === 'failed') result.failed.push({ email: to.email, reason: row.lastError ?? 'failed' });
    }
    logger.debug({ key: input.key, sendAt: input.sendAt, rows: result.scheduled }, 'email staged');
    return result;
  };
  const activities = {
    async cancelScheduled({ keys }: { keys: string[] }): Promise<{ cancelled: number }> {
      if (keys.length === 0) return { cancelled: 0 };
      const { count } = await db.outboxMessage.updateMany({
        where: { status: 'scheduled', OR: keys.map((k) => ({ idempotencyKey: { startsWith: `${k}:` } })) },
        data: { status: 'cancelled', claimToken: null },
      });
      if (count > 0) logger.info({ keys, cancelled: count }, 'staged emails cancelled');
      return { cancelled: count };
    },
    async notify(input: NotifyInput<TemplateName>): Promise<NotifyResult> {
      const result: NotifyResult = { sent: 0, alreadySent: 0, failed: [] };
      const now = deps.now?.() ?? Date.now();
      if (input.sendAt !== undefined) return stage(input, now);
      const wait = sendWindowDelay(input.template, scheduledTimestamp(), now);
      if (wait > 0) {
        logger.info({ key: input.key, template: input.template, waitMs: wait }, 'outside the send window: waiting');
        throw ApplicationFailure.create({
          type: 'OutsideSendWindow',
          message: `${input.template} runs late outside office hours; it will go at the next send window, ${formatRomeDateTime(now + wait, 'en')}`,
          nextRetryDelay: wait,
        });
      }
      const essential = isEssential(input.template);
      const digested = await isDigested(input, now);
      for (const to of await resolveRecipients(input)) {
        const key = `${input.key}:${to.email.toLowerCase()}`;
        const row = await outboxRow(input, to, key, essential, digested);
        if (row.status === 'sent') {
          result.alreadySent++;
          continue;
        }
        if (row.status === 'suppressed') continue;
        if (row.status === 'digested') {
          result.digested = (result.digested ?? 0) + 1;
          continue;
        }
        if (row.status === 'failed') {
          result.failed.push({ email: to.email, reason: row.lastError ?? 'failed' });
          continue;
        }
        try {
          const info = await submitRow(transport, from, row, to.name);
          // Hand-written, straight to the driver adapter: through Prisma this write cost the worker's
          // one thread more than SQLite takes to run it, and that thread also carries the next
          // Update's workflow task (see the README's Benchmarks, "a step completed").
          await (
            await directSqlOf(db)
          ).transaction([
            sql`UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = ${new Date()}, "attempts" = "attempts" + 1,
              "smtpResponse" = ${String(info.response ?? '')} WHERE "id" = ${row.id}`,
          ]);
          result.sent++;
          logger.info({ key, to: row.toAddress, template: input.template }, 'email sent');
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (isPermanentSmtpError(err)) {
            await db.outboxMessage.update({
              where: { id: row.id },
              data: { status: 'failed', attempts: { increment: 1 }, lastError: message },
            });
            result.failed.push({ email: to.email, reason: message });
            logger.warn({ key, to: row.toAddress, err: message }, 'email refused permanently');
            continue;
          }
          await db.outboxMessage.update({
            where: { id: row.id },
            data: { attempts: { increment: 1 }, lastError: message },
          });
          logger.warn({ key, to: row.toAddress, err: message }, 'email deferred, will retry');
          throw err;
        }
      }
      // A participant who cannot be reached is the consultant's problem to solve: tell them, once.
      for (const f of result.failed) {
        const failedRow = await db.outboxMessage.findUnique({
          where: { idempotencyKey: `${input.key}:${f.email.toLowerCase()}` },
          select: { subject: true },
        });
        const notice = deliveryFailedNotice(input, f, failedRow?.subject ?? input.template);
        if (notice) await activities.notify(notice);
      }
      return result;
    },
  };
  return activities;
}
