/**
 * The dispatcher sends the messages pathways staged ahead of time (outbox rows `scheduled` with a
 * `sendAt`). It runs beside the worker: every poll it claims a batch of due rows, sends them
 * through the pooled SMTP transport and records each one as it goes. Temporal is not involved at
 * send time, so thousands of reminders due in the same minute leave as fast as SMTP takes them.
 *
 * Exactly once, as far as SMTP allows:
 *  - a row is claimed by one dispatcher (conditional update from `scheduled` to `sending` with a
 *    token of its own), so two workers never send the same row;
 *  - a row is marked `sent` as soon as the server has accepted it (acceptances that arrive while the
 *    previous ones are being recorded are recorded together, within milliseconds); a dispatcher
 *    that dies in between leaves them `sending`, and they are taken back after the lease: the
 *    window of an activity killed after SMTP accepted, a few messages wide (README, "Faults");
 *  - a cancelled row (its step changed) is never claimed.
 */
import crypto from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { groupCommit } from '../infra/group-commit';
import { isPermanentSmtpError, sendWindowDelay, submitRow, type OutboxRow } from './outbox';
import { isEssential } from '../mail/preferences';
import type { NotifyInput, TemplateName } from './types';
import { redactingLogger } from '../infra/log-redaction';

export interface DispatcherDeps {
  db: Db;
  transport: Transporter;
  from: string;
  logger: Logger;
  /** Stages the consultant's notice when a staged message is refused for good. */
  notify: (input: NotifyInput<TemplateName>) => Promise<unknown>;
  /** The clock; tests move it. */
  now?: () => number;
  /** Pause between polls when nothing is due (ms). */
  pollMs?: number;
  /** Rows claimed per poll. */
  batchSize?: number;
  /** A claim older than this is taken back (its dispatcher died). */
  leaseMs?: number;
}

export interface DispatchRound {
  claimed: number;
  sent: number;
  /** Left for later: a transient SMTP error (retried with backoff) or a closed send window. */
  deferred: number;
  suppressed: number;
  failed: number;
}

export const DEFAULT_DISPATCH_POLL_MS = 500;
const DEFAULT_BATCH = 200;
const DEFAULT_LEASE_MS = 60_000;
/** How long accepted messages wait to be recorded together: the width of the duplicate window. */
const SENT_LINGER_MS = 20;

/** Retry delay after the n-th failed attempt: 2 s doubling, at most 10 minutes (as the activities). */
export function dispatchRetryDelay(attempts: number): number {
  return Math.min(2000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
}

export function createDispatcher(deps: DispatcherDeps) {
  const { db } = deps;
  const logger = redactingLogger(deps.logger);
  const now = () => deps.now?.() ?? Date.now();
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = deps.pollMs ?? DEFAULT_DISPATCH_POLL_MS;

  const release = (id: string, data: Record<string, unknown>) =>
    db.outboxMessage.update({ where: { id }, data: { claimToken: null, ...data } });

  // Rows accepted by SMTP are recorded in small groups (one statement for the acceptances of the
  // last 20 ms, or that came in while the previous group was being written): not one commit each.
  const markSent = groupCommit<{ id: string; response: string }>(async (rows) => {
    // One statement: every row with its own server reply.
    await db.$executeRaw`UPDATE "OutboxMessage"
      SET "status" = 'sent', "sentAt" = ${new Date()}, "attempts" = "attempts" + 1, "claimToken" = NULL,
        "smtpResponse" = CASE "id" ${Prisma.join(
          rows.map((r) => Prisma.sql`WHEN ${r.id} THEN ${r.response}`),
          ' ',
        )} END
      WHERE "id" IN (${Prisma.join(rows.map((r) => r.id))})`;
  }, SENT_LINGER_MS);

  const sendOne = async (row: OutboxRow, round: DispatchRound): Promise<void> => {
    let response: string;
    try {
      const info = await submitRow(deps.transport, deps.from, row, row.toName);
      response = String(info.response ?? '');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (isPermanentSmtpError(err)) {
        await release(row.id, { status: 'failed', attempts: { increment: 1 }, lastError: message });
        round.failed++;
        logger.warn({ key: row.idempotencyKey, to: row.toAddress, err: message }, 'email refused permanently');
        // Staged for now rather than sent inline: the dispatcher sends it with the same retries.
        const notice = row.failureNotice
          ? (JSON.parse(row.failureNotice) as NotifyInput<'delivery-failed'> | null)
          : null;
        if (notice) await deps.notify({ ...notice, context: { ...notice.context, smtpError: message }, sendAt: now() });
        return;
      }
      const retryAt = now() + dispatchRetryDelay(row.attempts + 1);
      await release(row.id, {
        status: 'scheduled',
        sendAt: new Date(retryAt),
        attempts: { increment: 1 },
        lastError: message,
      });
      round.deferred++;
      logger.warn(
        { key: row.idempotencyKey, to: row.toAddress, err: message, retryAt: new Date(retryAt).toISOString() },
        'email deferred, will retry',
      );
      return;
    }
    await markSent({ id: row.id, response });
    round.sent++;
    logger.info({ key: row.idempotencyKey, to: row.toAddress, template: row.template }, 'email sent');
  };

  let lastStaleCheck = -Infinity;
  /** Takes back stale claims, claims up to `limit` due rows; returns those to send now. */
  const claim = async (limit: number, round: DispatchRound): Promise<OutboxRow[]> => {
    const at = now();
    // Stale claims are looked for now and then (a tenth of the lease), not at every poll.
    if (at - lastStaleCheck >= leaseMs / 10 || at < lastStaleCheck) {
      lastStaleCheck = at;
      const stale = await db.outboxMessage.updateMany({
        where: { status: 'sending', claimedAt: { lt: new Date(at - leaseMs) } },
        data: { status: 'scheduled', claimToken: null },
      });
      if (stale.count > 0) logger.warn({ rows: stale.count }, 'took back emails claimed by a dispatcher that stopped');
    }
    const due = await db.outboxMessage.findMany({
      where: { status: 'scheduled', sendAt: { lte: new Date(at) } },
      orderBy: { sendAt: 'asc' },
      take: limit,
      select: { id: true },
    });
    if (due.length === 0) return [];
    const token = crypto.randomUUID();
    await db.outboxMessage.updateMany({
      where: { id: { in: due.map((d) => d.id) }, status: 'scheduled' },
      data: { status: 'sending', claimToken: token, claimedAt: new Date(at) },
    });
    const rows = await db.outboxMessage.findMany({ where: { claimToken: token, status: 'sending' } });
    round.claimed += rows.length;

    const toSend: OutboxRow[] = [];
    // Opted out since the message was staged: the recipient's choice wins.
    const optional = rows.filter((r) => !isEssential(r.template)).map((r) => r.toAddress.toLowerCase());
    const optedOut = new Set(
      optional.length === 0
        ? []
        : (
            await db.participant.findMany({
              where: { email: { in: [...new Set(optional)] }, optedOutAt: { not: null } },
              select: { email: true },
            })
          ).map((p) => p.email.toLowerCase()),
    );
    for (const row of rows) {
      // Held up past its time (an outage) and now outside office hours: the next send window.
      const wait = sendWindowDelay(row.template, row.sendAt?.getTime() ?? at, at);
      if (!isEssential(row.template) && optedOut.has(row.toAddress.toLowerCase())) {
        await release(row.id, { status: 'suppressed' });
        round.suppressed++;
      } else if (wait > 0) {
        await release(row.id, { status: 'scheduled', sendAt: new Date(at + wait) });
        round.deferred++;
      } else {
        toSend.push(row);
      }
    }
    return toSend;
  };

  const newRound = (): DispatchRound => ({ claimed: 0, sent: 0, deferred: 0, suppressed: 0, failed: 0 });

  /** One poll: take back stale claims, claim what is due, send it and wait for the sends. */
  const tick = async (): Promise<DispatchRound> => {
    const round = newRound();
    const toSend = await claim(batchSize, round);
    // The pooled transport queues them; its connections and rate limit set the pace.
    await Promise.all(toSend.map((row) => sendOne(row, round)));
    return round;
  };

  let running: Promise<void> | null = null;
  let stopped = false;
  let wake: (() => void) | null = null;
  /** Sends in progress in the loop. */
  let inFlight = 0;
  let drained: (() => void) | null = null;
  /** The last claim took all it asked for: more is due, poll again as soon as there is room. */
  let hungry = false;

  /**
   * The polling loop keeps the SMTP pool busy: it claims more rows as soon as half of what it
   * claimed has gone, instead of letting the connections idle at the end of every batch.
   */
  const loop = async () => {
    let failures = 0;
    let round = newRound();
    let lastReport = Date.now();
    let lastRenewal = Date.now();
    /** Claim tokens with sends in progress, and how many. */
    const claims = new Map<string, number>();
    while (!stopped) {
      if (inFlight <= batchSize / 2) {
        try {
          const limit = batchSize - inFlight;
          const toSend = await claim(limit, round);
          failures = 0;
          hungry = toSend.length >= limit;
          for (const row of toSend) {
            inFlight++;
            const token = row.claimToken!;
            claims.set(token, (claims.get(token) ?? 0) + 1);
            const current = round;
            void sendOne(row, current)
              .catch((err: unknown) =>
                logger.error(
                  { key: row.idempotencyKey, err: err instanceof Error ? err.message : String(err) },
                  'could not record what became of an email; it stays claimed and is taken back after the lease. Check the database',
                ),
              )
              .finally(() => {
                inFlight--;
                const left = (claims.get(token) ?? 1) - 1;
                if (left > 0) claims.set(token, left);
                else claims.delete(token);
                if (hungry && inFlight <= batchSize / 2) wake?.();
                if (inFlight === 0) drained?.();
              });
          }
        } catch (err) {
          hungry = false;
          failures++;
          logger.error(
            { err: err instanceof Error ? err.message : String(err), failures },
            'dispatcher could not reach the database; staged emails wait. Check DATABASE_URL and that the database is up',
          );
        }
      }
      // Renew the claims still being sent (a slow relay): only a dispatcher that stopped loses them.
      if (claims.size > 0 && Date.now() - lastRenewal >= leaseMs / 3) {
        lastRenewal = Date.now();
        await db.outboxMessage
          .updateMany({
            where: { claimToken: { in: [...claims.keys()] }, status: 'sending' },
            data: { claimedAt: new Date(now()) },
          })
          .catch((err: unknown) =>
            logger.error({ err: err instanceof Error ? err.message : String(err) }, 'could not renew claims'),
          );
      }
      if (round.claimed > 0 && Date.now() - lastReport >= 5000) {
        logger.info(round, 'dispatched in the last seconds');
        round = newRound();
        lastReport = Date.now();
      }
      if (stopped || (hungry && inFlight <= batchSize / 2)) continue;
      const pause = failures > 0 ? Math.min(pollMs * 2 ** failures, 30_000) : pollMs;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pause);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  };

  return {
    tick,
    /** Starts polling (idempotent). */
    start(): void {
      if (running) return;
      stopped = false;
      running = loop();
    },
    /** Stops after the round in progress, whose sends and records complete. */
    async stop(): Promise<void> {
      stopped = true;
      wake?.();
      await running;
      running = null;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
