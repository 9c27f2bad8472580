/**
 * The milestone report as CSV (for spreadsheets: plain numbers, one row per group and a total),
 * JSON (for scripts) or a printable HTML page with an SVG chart of enrollments by status.
 */
import { unsupportedFormat, type ReportFormat } from './format';
import { h } from 'preact';
import { render } from '../client/web/render';
import { MilestoneReportDocument } from '../client/web/views/milestone-report';
import { csvCell } from './csv';
import { FIGURE_COLUMNS as CSV_COLUMNS } from './milestone-labels';
import type { MilestoneReport } from './milestones';
import type { Locale } from '../domain/locale';

export type { ReportFormat };

export function milestoneReportCsv(report: MilestoneReport): string {
  const header = ['group', 'label', ...CSV_COLUMNS];
  const lines = [header.join(',')];
  for (const r of report.rows) lines.push([r.key, r.label, ...CSV_COLUMNS.map((c) => r[c])].map(csvCell).join(','));
  lines.push(['*', 'Totale', ...CSV_COLUMNS.map((c) => report.total[c])].map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** The printable page (a self-contained document: its stylesheet inline). */
export function milestoneReportHtml(report: MilestoneReport, locale: Locale, title?: string): string {
  return render(h(MilestoneReportDocument, { report, locale, ...(title === undefined ? {} : { title }) }));
}

export function renderMilestoneReport(report: MilestoneReport, format: ReportFormat, locale: Locale): string {
  switch (format) {
    case 'csv':
      return milestoneReportCsv(report);
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'html':
      return milestoneReportHtml(report, locale);
    default:
      throw unsupportedFormat(format);
  }
}
