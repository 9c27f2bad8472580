/**
 * Every email goes through the outbox: a row per (cause, recipient) with a unique idempotency key
 * and a stable Message-ID, then SMTP. A retried activity finds the row and never re-sends a
 * message the SMTP server already accepted and we recorded.
 */
import crypto from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { formatRomeDateTime } from '../domain/calendar';
import type { Db } from './db';
import { isUniqueViolation } from './db';
import { renderMessage, TemplateError } from './mail/render';
import type { Text } from '../domain/catalogue';
import type { ContextValue, NotifyInput, NotifyResult } from './types';

export interface MailDeps {
  db: Db;
  transport: Transporter;
  from: string;
  publicUrl: string;
  logger: Logger;
}

/** Resolve `{it, en}` texts and `...At` timestamps for one recipient's language. */
export function localizeContext(context: Record<string, ContextValue>, locale: 'it' | 'en'): Record<string, unknown> {
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

export function createMailActivities(deps: MailDeps) {
  const { db, transport, from, publicUrl, logger } = deps;
  return {
    async notify(input: NotifyInput): Promise<NotifyResult> {
      const result: NotifyResult = { sent: 0, alreadySent: 0, failed: [] };
      for (const to of input.to) {
        const key = `${input.key}:${to.email.toLowerCase()}`;
        let row = await db.outboxMessage.findUnique({ where: { idempotencyKey: key } });
        if (!row) {
          const ctx = {
            ...localizeContext(input.context, to.locale),
            recipientName: to.name,
            enrollmentUrl: `${publicUrl}/enrollments/${input.enrollmentId}`,
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
          try {
            row = await db.outboxMessage.create({
              data: {
                idempotencyKey: key,
                enrollmentId: input.enrollmentId,
                template: input.template,
                locale: to.locale,
                toAddress: to.email,
                subject: rendered.subject,
                html: rendered.html,
                text: rendered.text,
                messageId: stableMessageId(key, from),
                ...(renderError ? { status: 'failed', lastError: renderError } : {}),
              },
            });
          } catch (err) {
            if (!isUniqueViolation(err)) throw err;
            row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } });
          }
        }
        if (row.status === 'sent') {
          result.alreadySent++;
          continue;
        }
        if (row.status === 'failed') {
          result.failed.push({ email: to.email, reason: row.lastError ?? 'failed' });
          continue;
        }
        try {
          const info = await transport.sendMail({
            from,
            to: `${to.name} <${row.toAddress}>`,
            subject: row.subject,
            html: row.html,
            text: row.text,
            messageId: row.messageId,
            headers: { 'X-Conciliaflow-Key': key },
          });
          await db.outboxMessage.update({
            where: { id: row.id },
            data: {
              status: 'sent',
              sentAt: new Date(),
              attempts: { increment: 1 },
              smtpResponse: String(info.response ?? ''),
            },
          });
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
      return result;
    },
  };
}
