/**
 * What the participants' actions leave for the staff: attendance confirmations and acknowledgements
 * per participant, and the survey of a step in aggregate (never who answered what).
 */
import type { Db } from '../infra/db';
import { findPathwayVersion } from '../domain/catalogue-history';
import { stepParticipation } from '../domain/participation';
import { aggregateSurvey, findSurvey, SURVEY_MIN_ANSWERS, type SurveyResults } from '../domain/surveys';
import { DomainError } from '../domain/errors';
import type { Text } from '../domain/catalogue';

export function noSurvey(stepKey: string): DomainError {
  return new DomainError('not_found', {
    it: `L'attività "${stepKey}" non ha un questionario.`,
    en: `Step "${stepKey}" has no questionnaire.`,
  });
}

export interface StepSurveyResults extends SurveyResults {
  stepKey: string;
  stepName: Text;
  surveyKey: string;
  title: Text;
  /** Participants asked (current ones the step involves) and how many have answered. */
  invited: number;
  minimumShown: number;
}

export async function stepSurveyResults(
  db: Db,
  e: { id: string; kind: string; catalogueVersion: number; companyId: string },
  stepKey: string,
): Promise<StepSurveyResults> {
  const definition = findPathwayVersion(e.kind, e.catalogueVersion);
  const step = definition?.steps.find((s) => s.key === stepKey);
  const participation = stepParticipation(e.kind, stepKey);
  const survey = findSurvey(participation?.survey);
  if (!step || !survey || !participation) throw noSurvey(stepKey);
  const [responses, invited] = await Promise.all([
    db.surveyResponse.findMany({
      where: { enrollmentId: e.id, stepKey, surveyKey: survey.key },
      select: { answers: true },
    }),
    db.participant.count({
      where: { companyId: e.companyId, removedAt: null, anonymisedAt: null, role: { in: participation.roles } },
    }),
  ]);
  return {
    stepKey,
    stepName: step.name,
    surveyKey: survey.key,
    title: survey.title,
    invited,
    minimumShown: SURVEY_MIN_ANSWERS,
    ...aggregateSurvey(
      survey,
      responses.map((r) => r.answers),
    ),
  };
}

export async function participantsWithRecords(db: Db, e: { id: string; companyId: string }) {
  const [people, sessions, acks] = await Promise.all([
    db.participant.findMany({ where: { companyId: e.companyId }, orderBy: { createdAt: 'asc' } }),
    db.trainingSession.findMany({
      where: { enrollmentId: e.id },
      include: { attendance: true },
      orderBy: { startsAt: 'asc' },
    }),
    db.stepAcknowledgement.findMany({ where: { enrollmentId: e.id } }),
  ]);
  return people.map((p) => ({
    id: p.id,
    name: p.name,
    email: p.email,
    role: p.role,
    locale: p.locale,
    createdAt: p.createdAt.toISOString(),
    removedAt: p.removedAt?.toISOString() ?? null,
    anonymisedAt: p.anonymisedAt?.toISOString() ?? null,
    attendance: sessions.flatMap((s) =>
      s.attendance
        .filter((a) => a.participantId === p.id)
        .map((a) => ({
          sessionId: s.id,
          stepKey: s.stepKey,
          startsAt: s.startsAt.toISOString(),
          participantConfirmedAt: a.participantConfirmedAt?.toISOString() ?? null,
          attendedMinutes: a.attendedMinutes,
        })),
    ),
    acknowledgements: acks
      .filter((a) => a.participantId === p.id)
      .map((a) => ({ stepKey: a.stepKey, kind: a.kind, at: a.at.toISOString() })),
  }));
}
