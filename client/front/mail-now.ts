/**
 * An email caused by a request to the API (an invitation, a password reset, an address to
 * confirm): rendered here and written to the outbox as a row due now, which the dispatcher beside
 * the worker sends. The idempotency key comes from the cause, so a repeated request finds the row
 * its first attempt wrote and nothing goes twice.
 */
import type { Db } from '../../infra/db';
import { isUniqueViolation } from '../../infra/db';
import { localizeContext, stableMessageId } from '../../activities/outbox';
import type { ContextOf, TemplateName } from '../../mail/messages';
import { renderMessage } from '../../mail/render';
import type { Locale } from '../../domain/locale';

export interface StageNow<N extends TemplateName> {
  template: N;
  key: string;
  to: { email: string; name: string; locale: Locale };
  context: ContextOf<N>;
  /** The public base URL (links); its host names the Message-ID. */
  baseUrl: string;
  /** The pathway's page, for messages about one enrollment. */
  enrollmentUrl?: string;
}

/** Stages the email; false when a row with the same key already existed (nothing new is sent). */
export async function stageEmailNow<N extends TemplateName>(db: Db, m: StageNow<N>): Promise<boolean> {
  const ctx = {
    ...localizeContext(m.context as Parameters<typeof localizeContext>[0], m.to.locale),
    recipientName: m.to.name,
    ...(m.enrollmentUrl ? { enrollmentUrl: m.enrollmentUrl } : {}),
    unsubscribeUrl: null,
  };
  const rendered = renderMessage(m.template, m.to.locale, ctx);
  const host = new URL(m.baseUrl).hostname || 'conciliaflow.local';
  const key = `${m.key}:${m.to.email.toLowerCase()}`;
  try {
    await db.outboxMessage.create({
      data: {
        idempotencyKey: key,
        template: m.template,
        locale: m.to.locale,
        toAddress: m.to.email,
        toName: m.to.name,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId: stableMessageId(key, `noreply@${host}`),
        status: 'scheduled',
        sendAt: new Date(),
      },
    });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
