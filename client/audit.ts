/**
 * The audit log: every change made through the API, the dashboard or the CLI, with who, when,
 * what, and the entity before and after. Rows are only ever inserted.
 */
import crypto from 'node:crypto';
import { directSqlOf, type Db } from '../infra/db';
import { insertRows } from '../infra/direct-sql';
import type { Principal } from './auth/principal';

export interface AuditActor {
  id: string;
  role: string;
}

export function auditActor(p: Principal | AuditActor): AuditActor {
  return 'userId' in p ? { id: p.userId, role: p.role } : p;
}

/** The operating-system user behind a CLI command run directly on the database. */
export function cliActor(): AuditActor {
  return { id: `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}`, role: 'cli' };
}

export async function audit(
  db: Pick<Db, 'auditLog'>,
  entry: { actor: AuditActor; action: string; entity: string; entityId: string; before?: unknown; after?: unknown },
): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: entry.actor.id,
      actorRole: entry.actor.role,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId,
      before: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
      after: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
    },
  });
}

/**
 * The same entry as `audit`, written by hand-written SQL straight to the driver adapter
 * (infra/direct-sql.ts): for the pathway actions, where it stands between the Update and the answer
 * and Prisma's create cost more CPU than the INSERT. The row reads back through Prisma like audit's.
 */
export async function auditDirect(
  db: Db,
  entry: { actor: AuditActor; action: string; entity: string; entityId: string; before?: unknown; after?: unknown },
): Promise<void> {
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  await (
    await directSqlOf(db)
  ).transaction(
    insertRows('AuditLog', [
      {
        id: `aud_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`,
        at: new Date(),
        actorId: entry.actor.id,
        actorRole: entry.actor.role,
        action: entry.action,
        entity: entry.entity,
        entityId: entry.entityId,
        before: json(entry.before),
        after: json(entry.after),
      },
    ]),
  );
}

export async function listAudit(
  db: Db,
  opts: { entity?: string; entityId?: string; limit?: number; cursor?: string },
): Promise<{ items: unknown[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const rows = await db.auditLog.findMany({
    where: { ...(opts.entity ? { entity: opts.entity } : {}), ...(opts.entityId ? { entityId: opts.entityId } : {}) },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorId: r.actorId,
      actorRole: r.actorRole,
      action: r.action,
      entity: r.entity,
      entityId: r.entityId,
      before: r.before === null ? null : (JSON.parse(r.before) as unknown),
      after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    })),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}
