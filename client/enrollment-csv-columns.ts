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
  'consultant_name',
  'consultant_email',
  'participant_name',
  'participant_email',
  'participant_role',
  'participant_locale',
] as const;
