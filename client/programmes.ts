/**
 * Programme editions in the database: listed and read by every signed-in role, created, changed
 * and amended by decree by the Region (admin), every change audited with the edition before and
 * after. Input is validated here with zod (dates YYYY-MM-DD, ATS codes of domain/territory.ts,
 * actions of the catalogue, alliances in a taking-part ATS). The public record's editions are
 * inserted when missing (ensureProgrammeSeeds) and never overwritten afterwards.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../infra/db';
import { directSqlOf, isUniqueViolation } from '../infra/db';
import { join, sql } from '../infra/direct-sql';
import { groupCommit } from '../infra/group-commit';
import { parseIsoDate } from '../domain/calendar';
import { CATALOGUE } from '../domain/catalogue';
import { findPathwayVersion } from '../domain/catalogue-history';
import { EDITION_SEEDS } from '../domain/editions-seed';
import { DomainError } from '../domain/errors';
import type { Alliance, Edition, ProgrammeAction, ProgrammeSource } from '../domain/programmes';
import { ATS_NETWORKS } from '../domain/territory';
import { audit, type AuditActor } from './audit';
import { startDecreeFanOut } from './decree-fanout';
import { singleLine } from './schemas';
import { validationError } from './validation';

// ---------------------------------------------------------------------------------------------
// Validation

export const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'data AAAA-MM-GG / date YYYY-MM-DD')
  .refine((s) => {
    try {
      parseIsoDate(s);
      return true;
    } catch {
      return false;
    }
  }, 'giorno inesistente / no such day');

const ATS_CODES = ATS_NETWORKS.map((a) => a.code) as [string, ...string[]];
const KINDS = Object.keys(CATALOGUE) as [string, ...string[]];
const slug = (max: number) =>
  z
    .string()
    .trim()
    .min(2)
    .max(max)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'minuscole, cifre e trattini / lower-case letters, digits and hyphens');

export const programmeCodeSchema = slug(40);

const actionSchema = z
  .object({
    kind: z.enum(KINDS, { message: `azione del catalogo / catalogue kind: ${KINDS.join(', ')}` }),
    catalogueVersion: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .refine((a) => a.catalogueVersion === undefined || findPathwayVersion(a.kind, a.catalogueVersion) !== undefined, {
    message: 'versione del catalogo inesistente per questo percorso / no such catalogue version for this kind',
    path: ['catalogueVersion'],
  });

const allianceSchema = z
  .object({
    code: slug(60),
    name: singleLine(200),
    atsCode: z.enum(ATS_CODES, { message: `ATS: ${ATS_CODES.join(', ')}` }),
  })
  .strict();

const sourceSchema = z
  .object({
    title: singleLine(300),
    url: z
      .string()
      .max(500)
      .regex(/^https?:\/\/[^\s]+$/, 'indirizzo http(s) / http(s) address')
      .optional(),
  })
  .strict();

const unique =
  <T>(key: (t: T) => string, what: string) =>
  (list: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k))
        ctx.addIssue({ code: 'custom', path: [i], message: `${what} ripetuto / repeated ${what}: ${k}` });
      seen.add(k);
    });
  };

const fields = {
  name: singleLine(200),
  decision: singleLine(200).nullable(),
  startsOn: isoDay.nullable(),
  enrollmentOpensOn: isoDay.nullable(),
  enrollmentClosesOn: isoDay.nullable(),
  endsOn: isoDay.nullable(),
  atsCodes: z
    .array(z.enum(ATS_CODES, { message: `ATS: ${ATS_CODES.join(', ')}` }))
    .max(ATS_CODES.length)
    .superRefine(unique((s: string) => s, 'ATS')),
  actions: z
    .array(actionSchema)
    .max(50)
    .superRefine(unique((a: ProgrammeAction) => a.kind, 'kind')),
  alliances: z
    .array(allianceSchema)
    .max(500)
    .superRefine(unique((a: Alliance) => a.code, 'alliance')),
  sources: z.array(sourceSchema).max(50),
  notes: z.string().max(4000).nullable(),
  demo: z.boolean(),
};

export const createProgrammeSchema = z
  .object({
    code: programmeCodeSchema,
    name: fields.name,
    decision: fields.decision.optional(),
    startsOn: fields.startsOn.optional(),
    enrollmentOpensOn: fields.enrollmentOpensOn.optional(),
    enrollmentClosesOn: fields.enrollmentClosesOn.optional(),
    endsOn: fields.endsOn.optional(),
    atsCodes: fields.atsCodes.default([]),
    actions: fields.actions.default([]),
    alliances: fields.alliances.default([]),
    sources: fields.sources.default([]),
    notes: fields.notes.optional(),
    demo: fields.demo.default(false),
  })
  .strict();

/** Every field but the code; the end, once set, changes only by decree (extendProgramme). */
export const updateProgrammeSchema = z
  .object({
    name: fields.name,
    decision: fields.decision,
    startsOn: fields.startsOn,
    enrollmentOpensOn: fields.enrollmentOpensOn,
    enrollmentClosesOn: fields.enrollmentClosesOn,
    endsOn: fields.endsOn,
    atsCodes: fields.atsCodes,
    actions: fields.actions,
    alliances: fields.alliances,
    sources: fields.sources,
    notes: fields.notes,
    demo: fields.demo,
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nessun campo da cambiare / nothing to change');

export const extendProgrammeSchema = z
  .object({
    endsOn: isoDay,
    decree: singleLine(200).describe('e.g. "DGR XI/1017 del 17/12/2018"'),
    force: z.boolean().default(false).describe('Record an earlier end (a shortening)'),
    note: z.string().max(2000).optional(),
  })
  .strict();

export type CreateProgrammeInput = z.input<typeof createProgrammeSchema>;
export type UpdateProgrammeInput = z.input<typeof updateProgrammeSchema>;
export type ExtendProgrammeInput = z.input<typeof extendProgrammeSchema>;

function invalid(path: string, it: string, en: string): DomainError {
  return new DomainError(
    'invalid_request',
    { it: `Richiesta non valida: ${path}: ${it}`, en: `Invalid request: ${path}: ${en}` },
    [{ path, message: `${it} / ${en}` }],
  );
}

/** The rules between fields, on the edition as it would be stored. */
export function checkEditionConsistency(e: Edition): void {
  const order: [keyof Edition, keyof Edition][] = [
    ['enrollmentOpensOn', 'enrollmentClosesOn'],
    ['enrollmentOpensOn', 'endsOn'],
    ['enrollmentClosesOn', 'endsOn'],
    ['startsOn', 'endsOn'],
  ];
  for (const [a, b] of order) {
    const x = e[a] as string | null;
    const y = e[b] as string | null;
    if (x && y && x > y)
      throw invalid(String(b), `${y} è prima di ${String(a)} ${x}`, `${y} is before ${String(a)} ${x}`);
  }
  e.alliances.forEach((al, i) => {
    if (!e.atsCodes.includes(al.atsCode))
      throw invalid(
        `alliances.${i}.atsCode`,
        `l'ATS ${al.atsCode} dell'alleanza ${al.code} non partecipa all'edizione (atsCodes)`,
        `ATS ${al.atsCode} of alliance ${al.code} does not take part in the edition (atsCodes)`,
      );
  });
}

// ---------------------------------------------------------------------------------------------
// Rows and views

type ProgrammeRow = NonNullable<Awaited<ReturnType<Db['programme']['findUnique']>>>;
type DecreeRow = NonNullable<Awaited<ReturnType<Db['programmeDecree']['findUnique']>>>;

/** The columns an edition is made of (its row without the row's own times). */
type EditionColumns = Omit<ProgrammeRow, 'createdAt' | 'updatedAt'>;

export function editionOf(row: EditionColumns): Edition {
  return {
    code: row.code,
    name: row.name,
    decision: row.decision,
    startsOn: row.startsOn,
    enrollmentOpensOn: row.enrollmentOpensOn,
    enrollmentClosesOn: row.enrollmentClosesOn,
    endsOn: row.endsOn,
    originalEndsOn: row.originalEndsOn,
    atsCodes: JSON.parse(row.atsCodes) as string[],
    actions: JSON.parse(row.actions) as ProgrammeAction[],
    alliances: JSON.parse(row.alliances) as Alliance[],
    sources: JSON.parse(row.sources) as ProgrammeSource[],
    notes: row.notes,
    demo: row.demo,
  };
}

function columnsOf(e: Edition) {
  return {
    name: e.name,
    decision: e.decision,
    startsOn: e.startsOn,
    enrollmentOpensOn: e.enrollmentOpensOn,
    enrollmentClosesOn: e.enrollmentClosesOn,
    endsOn: e.endsOn,
    originalEndsOn: e.originalEndsOn,
    atsCodes: JSON.stringify(e.atsCodes),
    actions: JSON.stringify(e.actions),
    alliances: JSON.stringify(e.alliances),
    sources: JSON.stringify(e.sources),
    notes: e.notes,
    demo: e.demo,
  };
}

export interface DecreeView {
  id: string;
  decree: string;
  kind: string;
  previousEndsOn: string | null;
  newEndsOn: string | null;
  forced: boolean;
  amountCents: number | null;
  note: string | null;
  recordedById: string;
  recordedAt: string;
  fanOutWorkflowId: string | null;
}

export type ProgrammeView = Edition & { createdAt: string; updatedAt: string; decrees: DecreeView[] };

function decreeView(d: DecreeRow): DecreeView {
  return {
    id: d.id,
    decree: d.decree,
    kind: d.kind,
    previousEndsOn: d.previousEndsOn,
    newEndsOn: d.newEndsOn,
    forced: d.forced,
    amountCents: d.amountCents,
    note: d.note,
    recordedById: d.recordedById,
    recordedAt: d.recordedAt.toISOString(),
    fanOutWorkflowId: d.fanOutWorkflowId,
  };
}

function view(row: ProgrammeRow & { decrees: DecreeRow[] }): ProgrammeView {
  return {
    ...editionOf(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    decrees: row.decrees.map(decreeView),
  };
}

const withDecrees = { decrees: { orderBy: [{ recordedAt: 'asc' as const }, { id: 'asc' as const }] } };

export const programmeViewSchema = z.object({
  code: z.string(),
  name: z.string(),
  decision: z.string().nullable(),
  startsOn: z.string().nullable(),
  enrollmentOpensOn: z.string().nullable(),
  enrollmentClosesOn: z.string().nullable(),
  endsOn: z.string().nullable().describe('The current hard end, as amended by decrees'),
  originalEndsOn: z.string().nullable(),
  atsCodes: z.array(z.string()),
  actions: z.array(z.object({ kind: z.string(), catalogueVersion: z.number().optional() })),
  alliances: z.array(z.object({ code: z.string(), name: z.string(), atsCode: z.string() })),
  sources: z.array(z.object({ title: z.string(), url: z.string().optional() })),
  notes: z.string().nullable().describe('What the public record does not say yet, in words'),
  demo: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  decrees: z.array(
    z.object({
      id: z.string(),
      decree: z.string(),
      kind: z.enum(['extension', 'shortening', 'funding']),
      previousEndsOn: z.string().nullable(),
      newEndsOn: z.string().nullable(),
      forced: z.boolean(),
      amountCents: z.number().nullable(),
      note: z.string().nullable(),
      recordedById: z.string(),
      recordedAt: z.string(),
      fanOutWorkflowId: z.string().nullable(),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------
// Errors

/** The edition's end changed between reading it and writing the decree (another decree won). */
class EndMovedMeanwhile extends Error {}

export function programmeNotFound(code: string): DomainError {
  return new DomainError(
    'programme_not_found',
    {
      it: `Programma "${code}" inesistente: vedere GET /programmes.`,
      en: `No programme "${code}": see GET /programmes.`,
    },
    { code },
  );
}

// ---------------------------------------------------------------------------------------------
// Seeds

const SYSTEM: AuditActor = { id: 'system:seed', role: 'system' };
const seeded = new WeakMap<Db, Promise<void>>();

/**
 * Inserts the editions and decrees of domain/editions-seed.ts that are missing, once per process
 * and database; an existing row (the Region may have changed it) is left exactly as it is.
 */
export function ensureProgrammeSeeds(db: Db): Promise<void> {
  let done = seeded.get(db);
  if (!done) {
    done = applySeeds(db).catch((err: unknown) => {
      seeded.delete(db);
      throw err;
    });
    seeded.set(db, done);
  }
  return done;
}

async function applySeeds(db: Db): Promise<void> {
  const existing = new Set((await db.programme.findMany({ select: { code: true } })).map((p) => p.code));
  for (const seed of EDITION_SEEDS) {
    if (existing.has(seed.code)) continue;
    const { decrees, allocations: _allocations, code, ...edition } = seed;
    try {
      await db.$transaction(async (tx) => {
        await tx.programme.create({ data: { code, ...columnsOf({ code, ...edition }) } });
        for (const d of decrees)
          await tx.programmeDecree.create({
            data: {
              programmeCode: code,
              decree: d.decree,
              kind: d.kind,
              previousEndsOn: d.previousEndsOn ?? null,
              newEndsOn: d.newEndsOn ?? null,
              amountCents: d.amountCents ?? null,
              note: d.note ?? null,
              recordedById: SYSTEM.id,
            },
          });
        await audit(tx, { actor: SYSTEM, action: 'programme.seed', entity: 'programme', entityId: code, after: seed });
      });
    } catch (err) {
      // Another process seeded the same edition at the same moment: theirs stands.
      if (!isUniqueViolation(err)) throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The store

export interface ProgrammeStoreDeps {
  db: Db;
  /** Present where decrees can be recorded (the API): starts their fan-out. */
  temporal?: Client;
  taskQueue?: string;
}

export function createProgrammeStore(deps: ProgrammeStoreDeps) {
  const { db } = deps;

  async function load(code: string) {
    await ensureProgrammeSeeds(db);
    return db.programme.findUnique({ where: { code }, include: withDecrees });
  }

  type EditionRow = Omit<EditionColumns, 'demo'> & { demo: unknown };
  /**
   * Edition rows by code, read together for the requests that ask in the same turn of the event
   * loop (group commit: one SELECT for a burst of enrollments, not one each). Each read runs after
   * every request of its group has asked, so none reads older data than it would alone.
   */
  const readEditionRows = groupCommit<string, EditionRow | undefined | { failed: unknown }>(async (codes) => {
    const select = (list: readonly string[]) =>
      // Hand-written (infra/direct-sql.ts): every enrollment reads its edition, and through Prisma's
      // query compiler this one read cost the API's thread more than the enrollment's SQL writes.
      directSqlOf(db).then((direct) =>
        direct.query<EditionRow>(sql`
          SELECT "code", "name", "decision", "startsOn", "enrollmentOpensOn", "enrollmentClosesOn", "endsOn",
            "originalEndsOn", "atsCodes", "actions", "alliances", "sources", "notes", "demo"
            FROM "Programme" WHERE "code" IN (${join([...new Set(list)])})`),
      );
    try {
      const byCode = new Map((await select(codes)).map((r) => [r.code, r]));
      return codes.map((c) => byCode.get(c));
    } catch {
      // A code the database refuses (PostgreSQL refuses a NUL in text) fails its own request only.
      return Promise.all(
        codes.map((c) =>
          select([c]).then(
            ([row]) => row,
            (failed: unknown) => ({ failed }),
          ),
        ),
      );
    }
  });

  /** The edition, or undefined: what enrollment and the reconciler read. */
  async function findEdition(code: string): Promise<Edition | undefined> {
    await ensureProgrammeSeeds(db);
    const row = await readEditionRows(code);
    if (row && 'failed' in row) throw row.failed;
    // Each caller gets its own object. A boolean on PostgreSQL, 0 or 1 on SQLite.
    return row ? editionOf({ ...row, demo: row.demo === true || Number(row.demo) === 1 }) : undefined;
  }

  async function list(): Promise<{ items: ProgrammeView[] }> {
    await ensureProgrammeSeeds(db);
    const rows = await db.programme.findMany({ orderBy: { code: 'asc' }, include: withDecrees });
    return { items: rows.map(view) };
  }

  async function get(code: string): Promise<ProgrammeView> {
    const row = await load(code);
    if (!row) throw programmeNotFound(code);
    return view(row);
  }

  async function create(body: unknown, actor: AuditActor): Promise<ProgrammeView> {
    const parsed = createProgrammeSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const b = parsed.data;
    const edition: Edition = {
      code: b.code,
      name: b.name,
      decision: b.decision ?? null,
      startsOn: b.startsOn ?? null,
      enrollmentOpensOn: b.enrollmentOpensOn ?? null,
      enrollmentClosesOn: b.enrollmentClosesOn ?? null,
      endsOn: b.endsOn ?? null,
      originalEndsOn: b.endsOn ?? null,
      atsCodes: b.atsCodes,
      actions: b.actions,
      alliances: b.alliances,
      sources: b.sources,
      notes: b.notes ?? null,
      demo: b.demo,
    };
    checkEditionConsistency(edition);
    await ensureProgrammeSeeds(db);
    try {
      await db.$transaction(async (tx) => {
        await tx.programme.create({ data: { code: edition.code, ...columnsOf(edition) } });
        await audit(tx, {
          actor,
          action: 'programme.create',
          entity: 'programme',
          entityId: edition.code,
          after: edition,
        });
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError(
          'programme_exists',
          {
            it: `Il programma "${edition.code}" esiste già: modificarlo con PATCH /programmes/${edition.code}.`,
            en: `Programme "${edition.code}" already exists: change it with PATCH /programmes/${edition.code}.`,
          },
          { code: edition.code },
        );
      throw err;
    }
    return get(edition.code);
  }

  async function update(code: string, body: unknown, actor: AuditActor): Promise<ProgrammeView> {
    const parsed = updateProgrammeSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const row = await load(code);
    if (!row) throw programmeNotFound(code);
    const before = editionOf(row);
    const changes = parsed.data;
    if (changes.endsOn !== undefined && changes.endsOn !== before.endsOn && before.endsOn !== null)
      throw new DomainError(
        'end_changes_by_decree',
        {
          it: `La fine del programma ${code} (${before.endsOn}) cambia solo con un decreto: usare POST /programmes/${code}/extend.`,
          en: `The end of programme ${code} (${before.endsOn}) changes only by decree: use POST /programmes/${code}/extend.`,
        },
        { endsOn: before.endsOn },
      );
    const after: Edition = { ...before, ...changes };
    // The first end set is the one originally decided.
    if (before.endsOn === null && after.endsOn !== null) after.originalEndsOn = after.endsOn;
    checkEditionConsistency(after);
    await db.$transaction(async (tx) => {
      await tx.programme.update({ where: { code }, data: columnsOf(after) });
      await audit(tx, { actor, action: 'programme.update', entity: 'programme', entityId: code, before, after });
    });
    return get(code);
  }

  /**
   * Records a decree that moves the edition's end, moves it, and starts the decree's fan-out into
   * the running pathways. An earlier end needs `force`; a decree already recorded is refused,
   * unless it is the same decree with the same end whose fan-out never started (a retry after a
   * failure between the two), which is started now.
   */
  async function extend(
    code: string,
    body: unknown,
    actor: AuditActor,
  ): Promise<{ programme: ProgrammeView; decree: DecreeView }> {
    const parsed = extendProgrammeSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const b = parsed.data;
    const row = await load(code);
    if (!row) throw programmeNotFound(code);
    const recorded = row.decrees.find((d) => d.decree === b.decree);
    let decree: DecreeRow;
    if (recorded) {
      const resumable =
        recorded.recordedById !== SYSTEM.id &&
        recorded.fanOutWorkflowId === null &&
        recorded.newEndsOn === b.endsOn &&
        row.endsOn === b.endsOn;
      if (!resumable)
        throw new DomainError(
          'decree_exists',
          {
            it: `Il decreto "${b.decree}" è già registrato per il programma ${code}.`,
            en: `Decree "${b.decree}" is already recorded for programme ${code}.`,
          },
          { decree: b.decree, id: recorded.id },
        );
      decree = recorded;
    } else {
      const before = editionOf(row);
      if (before.endsOn === null)
        throw new DomainError('programme_end_unknown', {
          it: `Il programma ${code} non ha ancora una data di fine: indicarla con PATCH /programmes/${code} (endsOn).`,
          en: `Programme ${code} has no end date yet: set it with PATCH /programmes/${code} (endsOn).`,
        });
      if (b.endsOn === before.endsOn)
        throw new DomainError('end_unchanged', {
          it: `Il programma ${code} finisce già il ${b.endsOn}.`,
          en: `Programme ${code} already ends on ${b.endsOn}.`,
        });
      const shortening = b.endsOn < before.endsOn;
      if (shortening && !b.force)
        throw new DomainError(
          'earlier_end_needs_force',
          {
            it: `Il ${b.endsOn} è prima della fine attuale (${before.endsOn}): anticipare la fine accorcia i percorsi in corso; ripetere con force: true (CLI --force) se il decreto lo stabilisce.`,
            en: `${b.endsOn} is before the current end (${before.endsOn}): an earlier end shortens running pathways; repeat with force: true (CLI --force) if the decree says so.`,
          },
          { endsOn: before.endsOn },
        );
      const after: Edition = { ...before, endsOn: b.endsOn, originalEndsOn: before.originalEndsOn ?? before.endsOn };
      checkEditionConsistency(after);
      try {
        decree = await db.$transaction(async (tx) => {
          const d = await tx.programmeDecree.create({
            data: {
              programmeCode: code,
              decree: b.decree,
              kind: shortening ? 'shortening' : 'extension',
              previousEndsOn: before.endsOn,
              newEndsOn: b.endsOn,
              forced: shortening,
              note: b.note ?? null,
              recordedById: actor.id,
            },
          });
          // Only if the end is still the one read: two decrees at once never both apply to the same end.
          const { count } = await tx.programme.updateMany({
            where: { code, endsOn: before.endsOn },
            data: { endsOn: after.endsOn, originalEndsOn: after.originalEndsOn },
          });
          if (count !== 1) throw new EndMovedMeanwhile();
          await audit(tx, {
            actor,
            action: 'programme.extend',
            entity: 'programme',
            entityId: code,
            before: { endsOn: before.endsOn },
            after: { endsOn: after.endsOn, decree: b.decree, kind: d.kind, forced: d.forced, decreeId: d.id },
          });
          return d;
        });
      } catch (err) {
        if (isUniqueViolation(err) || err instanceof EndMovedMeanwhile)
          throw new DomainError(
            'decree_exists',
            {
              it: `Il decreto "${b.decree}" o un altro decreto è stato registrato nel frattempo per il programma ${code}: rileggere e riprovare.`,
              en: `Decree "${b.decree}" or another decree was recorded meanwhile for programme ${code}: read it again and retry.`,
            },
            { decree: b.decree },
          );
        throw err;
      }
    }
    if (deps.temporal && deps.taskQueue) {
      const { workflowId } = await startDecreeFanOut(deps.temporal, {
        taskQueue: deps.taskQueue,
        programmeCode: code,
        decreeId: decree.id,
        decree: decree.decree,
        previousEndsOn: decree.previousEndsOn,
        newEndsOn: decree.newEndsOn!,
        forced: decree.forced,
      });
      decree = await db.programmeDecree.update({ where: { id: decree.id }, data: { fanOutWorkflowId: workflowId } });
    }
    return { programme: await get(code), decree: decreeView(decree) };
  }

  return { list, get, findEdition, create, update, extend };
}

export type ProgrammeStore = ReturnType<typeof createProgrammeStore>;
