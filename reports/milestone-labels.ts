/** The milestone report's columns and their words, shared by the CSV and the HTML views. */
import type { MilestoneFigures, ReportDimension } from './milestones';

export const FIGURE_COLUMNS: (keyof MilestoneFigures)[] = [
  'enrollments',
  'active',
  'completed',
  'withdrawn',
  'expired',
  'stepsOnTime',
  'stepsLate',
  'completionRate',
  'medianDaysPerStep',
  'p90DaysPerStep',
  'atRisk',
];

export const DIMENSION_LABEL: Record<ReportDimension, { it: string; en: string }> = {
  network: { it: 'Rete ATS', en: 'ATS network' },
  province: { it: 'Provincia', en: 'Province' },
  kind: { it: 'Percorso', en: 'Pathway' },
  alliance: { it: 'Alleanza locale', en: 'Local alliance' },
  programme: { it: 'Edizione', en: 'Programme' },
};

export const COLUMN_LABEL: Record<keyof MilestoneFigures, { it: string; en: string }> = {
  enrollments: { it: 'Adesioni', en: 'Enrollments' },
  active: { it: 'In corso', en: 'Active' },
  completed: { it: 'Concluse', en: 'Completed' },
  withdrawn: { it: 'Ritirate', en: 'Withdrawn' },
  expired: { it: 'Scadute', en: 'Expired' },
  stepsOnTime: { it: 'Fasi in tempo', en: 'Steps on time' },
  stepsLate: { it: 'Fasi in ritardo', en: 'Steps late' },
  completionRate: { it: 'Tasso di completamento', en: 'Completion rate' },
  medianDaysPerStep: { it: 'Giorni per fase (mediana)', en: 'Days per step (median)' },
  p90DaysPerStep: { it: 'Giorni per fase (90° perc.)', en: 'Days per step (p90)' },
  atRisk: { it: 'A rischio', en: 'At risk' },
};
