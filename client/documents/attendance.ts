/**
 * Attendance registers, the consultant's side: a training step's sessions (date, start, minutes,
 * place or link) and, per person, the minutes attended as staff recorded them, beside the
 * participant's own confirmation (Attendance.participantConfirmedAt, set from their personal link).
 * The register is the table of both, printable and exported as CSV.
 */
import type { Db } from '../../infra/db';
import { DomainError } from '../../domain/errors';
import { romeToEpochMs } from '../../domain/calendar';
import { csvCell } from '../../reports/csv';
import { audit } from '../audit';
import { canSeeEnrollment, type Principal } from '../auth/principal';
import { notFound, stepOf } from './documents';

/** Roles that keep a register: the enrollment's consultant and the staff above them. */
export function mayKeepRegister(p: Principal, e: Parameters<typeof canSeeEnrollment>[1]): boolean {
  return p.role !== 'sme' && canSeeEnrollment(p, e);
}

async function loadEnrollment(db: Db, p: Principal, id: string) {
  const e = await db.enrollment.findUnique({ where: { id }, include: { company: true } });
  if (!e || !canSeeEnrollment(p, e)) throw notFound(`Iscrizione "${id}" / enrollment "${id}"`);
  return e;
}

function registerStep(e: { kind: string; catalogueVersion: number }, stepKey: string) {
  const step = stepOf(e, stepKey);
  if (!step)
    throw new DomainError('not_found', {
      it: `Il percorso non ha una fase "${stepKey}".`,
      en: `The pathway has no step "${stepKey}".`,
    });
  if (step.evidence?.kind !== 'attendance-register')
    throw new DomainError('no_register', {
      it: `La fase "${step.name.it}" non ha un registro presenze.`,
      en: `The step "${step.name.en}" has no attendance register.`,
    });
  return step;
}

export interface SessionInput {
  /** YYYY-MM-DD, Europe/Rome */
  date: string;
  /** HH:MM, Europe/Rome */
  start: string;
  minutes: number;
  place: string | null;
}

export async function createSession(db: Db, p: Principal, enrollmentId: string, stepKey: string, input: SessionInput) {
  const e = await loadEnrollment(db, p, enrollmentId);
  if (!mayKeepRegister(p, e)) throw notFound(`Iscrizione "${enrollmentId}" / enrollment "${enrollmentId}"`);
  registerStep(e, stepKey);
  const [y, m, d] = input.date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = input.start.split(':').map(Number) as [number, number];
  const startsAt = new Date(romeToEpochMs(y, m, d, hh, mm));
  return db.$transaction(async (tx) => {
    const s = await tx.trainingSession.create({
      data: { enrollmentId, stepKey, startsAt, minutes: input.minutes, place: input.place, createdById: p.userId },
    });
    await audit(tx, {
      actor: { id: p.userId, role: p.role },
      action: 'session.create',
      entity: 'enrollment',
      entityId: enrollmentId,
      after: { sessionId: s.id, stepKey, startsAt: startsAt.toISOString(), minutes: s.minutes, place: s.place },
    });
    return s;
  });
}

async function loadSession(db: Db, p: Principal, sessionId: string) {
  const s = await db.trainingSession.findUnique({ where: { id: sessionId } });
  const missing = notFound(`Sessione "${sessionId}" / session "${sessionId}"`);
  if (!s) throw missing;
  const e = await db.enrollment.findUnique({ where: { id: s.enrollmentId }, include: { company: true } });
  if (!e || !mayKeepRegister(p, e)) throw missing;
  return { session: s, enrollment: e };
}

export async function cancelSession(db: Db, p: Principal, sessionId: string) {
  const { session } = await loadSession(db, p, sessionId);
  if (session.cancelledAt) return session;
  return db.$transaction(async (tx) => {
    const s = await tx.trainingSession.update({ where: { id: sessionId }, data: { cancelledAt: new Date() } });
    await audit(tx, {
      actor: { id: p.userId, role: p.role },
      action: 'session.cancel',
      entity: 'enrollment',
      entityId: s.enrollmentId,
      after: { sessionId, stepKey: s.stepKey },
    });
    return s;
  });
}

/** The minutes a person attended, as staff record them (0 = absent); recorded again replaces the figure. */
export async function recordAttendance(
  db: Db,
  p: Principal,
  sessionId: string,
  participantId: string,
  attendedMinutes: number,
) {
  const { session, enrollment } = await loadSession(db, p, sessionId);
  if (session.cancelledAt)
    throw new DomainError('session_cancelled', {
      it: 'La sessione è annullata: non si registrano presenze.',
      en: 'The session is cancelled: no attendance is recorded.',
    });
  if (attendedMinutes > session.minutes)
    throw new DomainError('invalid_request', {
      it: `I minuti di presenza non possono superare la durata della sessione (${session.minutes}).`,
      en: `Attended minutes cannot exceed the session's length (${session.minutes}).`,
    });
  const person = await db.participant.findFirst({
    where: { id: participantId, removedAt: null, company: { id: enrollment.companyId } },
  });
  if (!person) throw notFound(`Partecipante "${participantId}" / participant "${participantId}"`);
  const now = new Date();
  return db.$transaction(async (tx) => {
    const before = await tx.attendance.findUnique({ where: { sessionId_participantId: { sessionId, participantId } } });
    const a = await tx.attendance.upsert({
      where: { sessionId_participantId: { sessionId, participantId } },
      create: { sessionId, participantId, attendedMinutes, recordedById: p.userId, recordedAt: now },
      update: { attendedMinutes, recordedById: p.userId, recordedAt: now },
    });
    await audit(tx, {
      actor: { id: p.userId, role: p.role },
      action: 'attendance.record',
      entity: 'enrollment',
      entityId: enrollment.id,
      before: before ? { attendedMinutes: before.attendedMinutes } : null,
      after: { sessionId, participantId, attendedMinutes },
    });
    return a;
  });
}

export interface RegisterRow {
  sessionId: string;
  startsAt: string;
  minutes: number;
  place: string | null;
  cancelled: boolean;
  participantId: string;
  participantName: string;
  participantConfirmedAt: string | null;
  attendedMinutes: number | null;
  recordedBy: string | null;
  recordedAt: string | null;
}

export interface Register {
  enrollmentId: string;
  companyName: string;
  stepKey: string;
  stepName: { it: string; en: string };
  sessions: {
    id: string;
    startsAt: string;
    minutes: number;
    place: string | null;
    cancelled: boolean;
  }[];
  participants: { id: string; name: string }[];
  rows: RegisterRow[];
}

/** The register of a step, for whoever may see the enrollment. */
export async function loadRegister(
  db: Db,
  p: Principal | null,
  enrollmentId: string,
  stepKey: string,
): Promise<Register> {
  const e = p
    ? await loadEnrollment(db, p, enrollmentId)
    : await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId }, include: { company: true } });
  return registerOf(db, e, stepKey);
}

/** The register from a known enrollment row (the dossier reads many). */
export async function registerOf(
  db: Db,
  e: { id: string; kind: string; catalogueVersion: number; companyId: string; company: { name: string } },
  stepKey: string,
): Promise<Register> {
  const step = registerStep(e, stepKey);
  const sessions = await db.trainingSession.findMany({
    where: { enrollmentId: e.id, stepKey },
    include: { attendance: true },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
  });
  const participants = await db.participant.findMany({
    where: { companyId: e.companyId, removedAt: null },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  const recorders = await db.user.findMany({
    where: { id: { in: [...new Set(sessions.flatMap((s) => s.attendance.map((a) => a.recordedById ?? '')))] } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(recorders.map((u) => [u.id, u.name]));
  const rows: RegisterRow[] = [];
  for (const s of sessions)
    for (const person of participants) {
      const a = s.attendance.find((x) => x.participantId === person.id);
      rows.push({
        sessionId: s.id,
        startsAt: s.startsAt.toISOString(),
        minutes: s.minutes,
        place: s.place,
        cancelled: s.cancelledAt !== null,
        participantId: person.id,
        participantName: person.name,
        participantConfirmedAt: a?.participantConfirmedAt?.toISOString() ?? null,
        attendedMinutes: a?.attendedMinutes ?? null,
        recordedBy: a?.recordedById ? (nameOf.get(a.recordedById) ?? a.recordedById) : null,
        recordedAt: a?.recordedAt?.toISOString() ?? null,
      });
    }
  return {
    enrollmentId: e.id,
    companyName: e.company.name,
    stepKey,
    stepName: step.name,
    sessions: sessions.map((s) => ({
      id: s.id,
      startsAt: s.startsAt.toISOString(),
      minutes: s.minutes,
      place: s.place,
      cancelled: s.cancelledAt !== null,
    })),
    participants: participants.map((x) => ({ id: x.id, name: x.name })),
    rows,
  };
}

/** Rome wall-clock time as a spreadsheet reads it: 2026-12-03 14:30. */
const ROME_CSV = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** The register as CSV: one line per session and person, times in Europe/Rome. */
export function registerCsv(r: Register): string {
  const header = [
    'session',
    'start (Europe/Rome)',
    'minutes',
    'place',
    'cancelled',
    'participant',
    'participant confirmed at',
    'attended minutes',
    'recorded by',
    'recorded at',
  ];
  const when = (iso: string | null) => (iso ? ROME_CSV.format(new Date(iso)) : '');
  const lines = [header.join(',')];
  for (const x of r.rows)
    lines.push(
      [
        x.sessionId,
        when(x.startsAt),
        x.minutes,
        x.place,
        x.cancelled ? 'yes' : 'no',
        x.participantName,
        when(x.participantConfirmedAt),
        x.attendedMinutes,
        x.recordedBy,
        when(x.recordedAt),
      ]
        .map(csvCell)
        .join(','),
    );
  return lines.join('\r\n') + '\r\n';
}

/** Steps of the enrollment that keep a register (training steps). */
export function registerSteps(e: { kind: string; catalogueVersion: number }, steps: { key: string }[]): string[] {
  return steps.map((s) => s.key).filter((k) => stepOf(e, k)?.evidence?.kind === 'attendance-register');
}
