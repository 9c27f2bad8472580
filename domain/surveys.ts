/**
 * The questionnaires participants answer on their personal page, as data per pathway kind (a step
 * names its survey in domain/participation.ts). Answers are anonymous: stored with the Rome day
 * only, never with who answered; results are shown in aggregate once enough people answered.
 */
import type { Text } from './catalogue';

export interface SurveyQuestion {
  id: string;
  label: Text;
  /** One choice (radio) or several (checkboxes). */
  type: 'single' | 'multiple';
  options: { id: string; label: Text }[];
}

export interface Survey {
  key: string;
  title: Text;
  intro: Text;
  questions: SurveyQuestion[];
}

/** Results are hidden below this many answers: with fewer, an answer could be told apart. */
export const SURVEY_MIN_ANSWERS = 3;

const opt = (id: string, it: string, en: string) => ({ id, label: { it, en } });

const needs: Survey = {
  key: 'needs-v1',
  title: { it: 'Questionario sui bisogni di conciliazione', en: 'Work-life balance needs questionnaire' },
  intro: {
    it: 'Cinque domande, due minuti. Le risposte sono anonime: il consulente vede solo i totali, e solo quando hanno risposto almeno tre persone.',
    en: 'Five questions, two minutes. Answers are anonymous: the consultant sees only totals, and only once at least three people have answered.',
  },
  questions: [
    {
      id: 'care',
      label: { it: 'Hai responsabilità di cura?', en: 'Do you have care responsibilities?' },
      type: 'multiple',
      options: [
        opt('children', 'Figli minori', 'Children under 18'),
        opt('elderly', 'Familiari anziani', 'Elderly relatives'),
        opt('disability', 'Familiari con disabilità', 'Relatives with a disability'),
        opt('none', 'Nessuna', 'None'),
      ],
    },
    {
      id: 'difficulty',
      label: {
        it: 'Quanto è difficile conciliare lavoro e vita privata?',
        en: 'How hard is it to balance work and private life?',
      },
      type: 'single',
      options: [opt('low', 'Poco', 'Not very'), opt('medium', 'Abbastanza', 'Fairly'), opt('high', 'Molto', 'Very')],
    },
    {
      id: 'measure',
      label: { it: 'Quale misura ti aiuterebbe di più?', en: 'Which measure would help you most?' },
      type: 'single',
      options: [
        opt('flexible-hours', 'Orario flessibile', 'Flexible hours'),
        opt('remote', 'Lavoro agile', 'Remote work'),
        opt('leave', 'Congedi e permessi', 'Leave and time off'),
        opt('services', 'Servizi (asilo, centri estivi)', 'Services (nursery, summer camps)'),
      ],
    },
    {
      id: 'commute',
      label: { it: 'Quanto dura il tragitto casa-lavoro?', en: 'How long is your commute?' },
      type: 'single',
      options: [
        opt('under-30', 'Meno di 30 minuti', 'Under 30 minutes'),
        opt('30-60', 'Da 30 a 60 minuti', '30 to 60 minutes'),
        opt('over-60', 'Oltre 60 minuti', 'Over 60 minutes'),
      ],
    },
    {
      id: 'informed',
      label: {
        it: 'Conosci le misure di conciliazione già previste in azienda?',
        en: 'Do you know the work-life balance measures the firm already has?',
      },
      type: 'single',
      options: [opt('yes', 'Sì', 'Yes'), opt('partly', 'In parte', 'Partly'), opt('no', 'No', 'No')],
    },
  ],
};

const welfare: Survey = {
  key: 'welfare-v1',
  title: { it: 'Questionario sui bisogni di welfare', en: 'Welfare needs questionnaire' },
  intro: needs.intro,
  questions: [
    needs.questions[0]!,
    {
      id: 'benefit',
      label: { it: 'Quale servizio di welfare useresti?', en: 'Which welfare service would you use?' },
      type: 'multiple',
      options: [
        opt('childcare', 'Servizi per l’infanzia', 'Childcare'),
        opt('education', 'Rimborso spese scolastiche', 'School costs refund'),
        opt('health', 'Sanità integrativa', 'Supplementary health care'),
        opt('elder-care', 'Assistenza a familiari anziani', 'Care for elderly relatives'),
        opt('transport', 'Abbonamento ai trasporti', 'Public transport pass'),
      ],
    },
    needs.questions[3]!,
  ],
};

export const SURVEYS: Readonly<Record<string, Survey>> = { [needs.key]: needs, [welfare.key]: welfare };

export function findSurvey(key: string | undefined): Survey | undefined {
  return key && Object.prototype.hasOwnProperty.call(SURVEYS, key) ? SURVEYS[key] : undefined;
}

export type SurveyAnswers = Record<string, string[]>;

/** The form field of a single-choice question, or of one option of a multiple-choice one. */
export function surveyField(q: SurveyQuestion, optionId?: string): string {
  return q.type === 'single' ? `q_${q.id}` : `q_${q.id}__${optionId ?? ''}`;
}

/**
 * The answers a form gave, checked against the questionnaire: every question answered, only its
 * options. Returns the unanswered question ids, or the clean answers.
 */
export function parseSurveyAnswers(
  survey: Survey,
  raw: Record<string, unknown>,
): { answers: SurveyAnswers } | { missing: string[] } {
  const answers: SurveyAnswers = {};
  const missing: string[] = [];
  for (const q of survey.questions) {
    const chosen =
      q.type === 'single'
        ? q.options.filter((o) => raw[surveyField(q)] === o.id).map((o) => o.id)
        : q.options.filter((o) => raw[surveyField(q, o.id)] !== undefined).map((o) => o.id);
    if (chosen.length === 0) missing.push(q.id);
    else answers[q.id] = chosen;
  }
  return missing.length > 0 ? { missing } : { answers };
}

export interface SurveyResults {
  responses: number;
  /** Null below SURVEY_MIN_ANSWERS. */
  questions: { id: string; label: Text; options: { id: string; label: Text; count: number }[] }[] | null;
}

/** Counts per answer over stored responses (JSON answers), hidden below the minimum. */
export function aggregateSurvey(survey: Survey, stored: string[]): SurveyResults {
  if (stored.length < SURVEY_MIN_ANSWERS) return { responses: stored.length, questions: null };
  const parsed = stored.map((s) => JSON.parse(s) as SurveyAnswers);
  return {
    responses: stored.length,
    questions: survey.questions.map((q) => ({
      id: q.id,
      label: q.label,
      options: q.options.map((o) => ({
        id: o.id,
        label: o.label,
        count: parsed.filter((a) => a[q.id]?.includes(o.id)).length,
      })),
    })),
  };
}
