/** The columns of the enrollment CSV, in a module of its own so that `conciliaflow --help` can name them cheaply. */
export const ENROLLMENT_CSV_COLUMNS = [
  'programme',
  'kind',
  'company_name',
  'vat_number',
  'province',
  'city',
  'sector',
  'staff',
  'turnover_eur',
  // Optional, after the original columns: the balance sheet, the people employed (time saving) and the legal
  // representative whose self-declaration (DPR 445/2000) the figures are.
  'balance_sheet_eur',
  'people_employed',
  'declarant_name',
  'consultant_name',
  'consultant_email',
  'participant_name',
  'participant_email',
  'participant_role',
  'participant_locale',
] as const;
