/**
 * `npx tsx scripts/seed-workspace.ts --enrollments 2000 [--milestones 10] [--consultants 40]`:
 * a database at the scale of a region for the staff workspace's pages, their tests and bench.
 * Firms across every province and ATS network, enrollments of every pathway kind in every edition
 * and status (active, completed, withdrawn, expired), consultants, participants and milestones
 * (reasons and evidence included), written fast with createMany. No workflow is started: every
 * row carries workflowStartedAt (the reconciler leaves it alone) and an idempotency key `seed:…`.
 * DATABASE_URL chooses the database (migrated first), as for the service.
 */
import { parseArgs } from 'node:util';
import { createDb, databaseUrl, dialectOfDb, directSqlOf, tuneSqlite, type Db } from '../infra/db';
import { insertRows } from '../infra/direct-sql';
import { migrate } from '../infra/migrate';
import { rebuildMilestoneSummary } from '../reports/milestone-summary';
import { CATALOGUE } from '../domain/catalogue';
import { ATS_NETWORKS, PROVINCES, atsForProvince } from '../domain/territory';
import { ensureProgrammeSeeds } from '../client/programmes';

const DAY = 86_400_000;

export interface SeedOptions {
  enrollments: number;
  /** Milestones per enrollment (10 gives 200,000 at 20,000 enrollments). */
  milestonesPer?: number;
  /** Generated consultant users (spread over the ATS networks). */
  consultants?: number;
  /** Consultants to use besides the generated ones (e.g. users a test signs in as): they get their share. */
  extraConsultants?: { email: string; name: string }[];
  /** Id prefix, so two seeds can share a database. */
  prefix?: string;
  now?: number;
}

const FIRST = ['Officine', 'Laboratorio', 'Studio', 'Cooperativa', 'Tessitura', 'Panificio', 'Farmacia', 'Costruzioni'];
const LAST = ['Rossi', 'Bianchi', 'Colombo', 'Ferrari', 'Brambilla', 'Galli', 'Fontana', 'Riva', 'Sala', 'Villa'];
const FORMS = ['S.r.l.', 'S.p.A.', 's.n.c.', 'S.r.l.s.', 'soc. coop.'];
const NAMES = ['Giulia', 'Marco', 'Elena', 'Paolo', 'Chiara', 'Luca', 'Sara', 'Andrea', 'Francesca', 'Davide'];
const STATUSES = [
  'active',
  'active',
  'active',
  'active',
  'active',
  'active',
  'completed',
  'completed',
  'withdrawn',
  'expired',
];
const REASONS = ['ferie collettive in agosto', 'cambio del referente interno', 'attesa del verbale sindacale'];

/** Writes the seed; returns what it wrote. */
export async function seedWorkspace(db: Db, opts: SeedOptions) {
  const n = opts.enrollments;
  const per = opts.milestonesPer ?? 10;
  const prefix = opts.prefix ?? 'seed';
  const now = opts.now ?? Date.now();
  await ensureProgrammeSeeds(db);
  const programmes = await db.programme.findMany({ select: { code: true, alliances: true }, orderBy: { code: 'asc' } });
  const alliances = new Map<string, { code: string; atsCode: string }[]>();
  for (const p of programmes) alliances.set(p.code, JSON.parse(p.alliances) as { code: string; atsCode: string }[]);
  const kinds = Object.values(CATALOGUE);

  const generated = Array.from({ length: opts.consultants ?? 40 }, (_, i) => {
    const ats = ATS_NETWORKS[i % ATS_NETWORKS.length]!;
    return {
      id: `${prefix}-u${i}`,
      email: `consulente${i}.${prefix}@consulenti.test`,
      name: `${NAMES[i % NAMES.length]} ${LAST[(i * 7) % LAST.length]} ${i}`,
      role: 'consultant',
      atsCode: ats.code,
    };
  });
  await db.user.createMany({ data: generated });
  const consultants = [...(opts.extraConsultants ?? []), ...generated];

  const batch = 1000;
  let milestones = 0;
  for (let start = 0; start < n; start += batch) {
    const size = Math.min(batch, n - start);
    const idx = Array.from({ length: size }, (_, j) => start + j);
    const companies = idx.map((i) => {
      const province = PROVINCES[i % PROVINCES.length]!;
      return {
        id: `${prefix}-c${i}`,
        name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i} ${FORMS[i % FORMS.length]}`,
        vatNumber: `8${prefix.length}${String(i).padStart(9, '0')}`,
        province: province.code,
        atsCode: atsForProvince(province.code).code,
        city: province.capoluogo,
        sector: 'servizi',
        size: i % 3 === 0 ? 'micro' : i % 3 === 1 ? 'small' : 'medium',
        staff: 5 + (i % 40),
        registered: true,
        isNetwork: false,
        isCareCompany: false,
        createdAt: new Date(now - 400 * DAY),
      };
    });
    const participants = companies.flatMap((c, j) =>
      (['owner', 'hr'] as const).map((role, r) => ({
        id: `${c.id}-p${r}`,
        companyId: c.id,
        name: `${NAMES[(j + 3 * r) % NAMES.length]} ${role === 'owner' ? 'Titolare' : 'Personale'}`,
        email: `${role === 'owner' ? 'titolare' : 'hr'}@${c.id}.test`,
        role,
        locale: 'it',
        createdAt: c.createdAt,
      })),
    );
    const enrollments = idx.map((i, j) => {
      const c = companies[j]!;
      const def = kinds[i % kinds.length]!;
      const programme = programmes[Math.floor(i / kinds.length) % programmes.length]!;
      const status = STATUSES[(i * 3) % STATUSES.length]!;
      const stepIndex = status === 'completed' ? def.steps.length : i % def.steps.length;
      const consultant = consultants[i % consultants.length]!;
      const alliance = (alliances.get(programme.code) ?? []).find((a) => a.atsCode === c.atsCode);
      const createdAt = new Date(now - (30 + (i % 300)) * DAY);
      return {
        id: `${prefix}-e${i}`,
        idempotencyKey: `${prefix}:${i}`,
        requestHash: 'seed',
        programmeCode: programme.code,
        allianceCode: alliance && i % 3 !== 2 ? alliance.code : null,
        kind: def.kind,
        catalogueVersion: def.version,
        companyId: c.id,
        consultantEmail: consultant.email.toLowerCase(),
        consultantName: consultant.name,
        workflowId: `${prefix}-wf-${i}`,
        workflowStartedAt: createdAt,
        status,
        currentStep: status === 'completed' ? null : def.steps[stepIndex]!.key,
        currentDueAt: status === 'active' ? new Date(now + ((i % 41) - 20) * DAY) : null,
        createdAt,
        completedAt: status === 'active' ? null : new Date(createdAt.getTime() + 200 * DAY),
        stepIndex,
        def,
      };
    });
    const rows = enrollments.flatMap((e, j) => {
      const out: {
        id: string;
        enrollmentId: string;
        eventKey: string;
        seq: number;
        type: string;
        stepKey: string | null;
        actor: string;
        occurredAt: Date;
        dueAt: Date | null;
        onTime: boolean | null;
        evidence: string | null;
        note: string | null;
      }[] = [];
      const at = (k: number) => new Date(e.createdAt.getTime() + k * 3 * DAY);
      const push = (m: Omit<(typeof out)[number], 'id' | 'enrollmentId' | 'eventKey' | 'seq'>) =>
        out.push({
          id: `${e.id}-m${out.length}`,
          enrollmentId: e.id,
          eventKey: `${prefix}-${out.length}`,
          seq: out.length,
          ...m,
        });
      const base = { dueAt: null, onTime: null, evidence: null, note: null };
      push({ ...base, type: 'enrolled', stepKey: e.def.steps[0]!.key, actor: 'system', occurredAt: at(0) });
      for (let s = 0; s < e.stepIndex && out.length < per; s++) {
        const step = e.def.steps[s]!;
        push({
          ...base,
          type: 'step_completed',
          stepKey: step.key,
          actor: e.consultantEmail,
          occurredAt: at(out.length),
          dueAt: at(out.length + 2),
          onTime: (j + s) % 4 !== 0,
          evidence: step.evidence ? `PROT-${e.id}-${s}` : null,
        });
      }
      const terminal = e.status === 'active' ? null : e.status;
      while (out.length < per - (terminal ? 1 : 0)) {
        push({
          ...base,
          type: 'due_extended',
          stepKey: e.currentStep,
          actor: e.consultantEmail,
          occurredAt: at(out.length),
          dueAt: at(out.length + 10),
          note: REASONS[out.length % REASONS.length]!,
        });
      }
      if (terminal)
        push({
          ...base,
          type: terminal,
          stepKey: e.currentStep,
          actor: terminal === 'withdrawn' ? e.consultantEmail : 'system',
          occurredAt: e.completedAt!,
          note: terminal === 'withdrawn' ? 'impresa in liquidazione' : null,
        });
      return out;
    });
    // One transaction per batch, straight to the driver (infra/direct-sql.ts): Prisma's createMany is ten times slower here.
    await (
      await directSqlOf(db)
    ).transaction([
      ...insertRows('Company', companies),
      ...insertRows('Participant', participants),
      ...insertRows(
        'Enrollment',
        enrollments.map(({ stepIndex: _s, def: _d, ...e }) => e),
      ),
      ...insertRows('Milestone', rows),
    ]);
    milestones += rows.length;
  }
  // Written in bulk, not by recordMilestone: the reports' summary is recomputed once at the end.
  await rebuildMilestoneSummary(db, dialectOfDb(db));
  return { enrollments: n, milestones, consultants: consultants.length, companies: n };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      enrollments: { type: 'string', default: '2000' },
      milestones: { type: 'string', default: '10' },
      consultants: { type: 'string', default: '40' },
      prefix: { type: 'string', default: 'seed' },
    },
  });
  const url = databaseUrl();
  migrate(url);
  const db = createDb(url);
  try {
    await tuneSqlite(db, url);
    const started = performance.now();
    const r = await seedWorkspace(db, {
      enrollments: Number(values.enrollments),
      milestonesPer: Number(values.milestones),
      consultants: Number(values.consultants),
      prefix: values.prefix!,
    });
    process.stdout.write(`${JSON.stringify({ ...r, ms: Math.round(performance.now() - started) })}\n`);
  } finally {
    await db.$disconnect();
  }
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
