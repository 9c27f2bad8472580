/** How milestone reports group, in a module of its own so that `conciliaflow --help` can name them cheaply. */
export const REPORT_DIMENSIONS = ['network', 'province', 'kind', 'alliance', 'programme'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];
