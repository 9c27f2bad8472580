/**
 * The milestone report as CSV (for spreadsheets: plain numbers, one row per group and a total),
 * JSON (for scripts) or a printable HTML page with an SVG chart of enrollments by status.
 */
import { DomainError } from '../../domain/errors';
import { formatRomeDateTime } from '../../domain/calendar';
import { csvCell } from './csv';
import { BRAND_GREEN, esc, reportPage } from './page';
import type { MilestoneFigures, MilestoneReport, ReportDimension } from './milestones';

export type ReportFormat = 'csv' | 'json' | 'html';

const CSV_COLUMNS: (keyof MilestoneFigures)[] = [
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

const DIMENSION_LABEL: Record<ReportDimension, { it: string; en: string }> = {
  network: { it: 'Rete ATS', en: 'ATS network' },
  province: { it: 'Provincia', en: 'Province' },
  kind: { it: 'Percorso', en: 'Pathway' },
  alliance: { it: 'Alleanza locale', en: 'Local alliance' },
  programme: { it: 'Edizione', en: 'Programme' },
};

const COLUMN_LABEL: Record<keyof MilestoneFigures, { it: string; en: string }> = {
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

export function milestoneReportCsv(report: MilestoneReport): string {
  const header = ['group', 'label', ...CSV_COLUMNS];
  const lines = [header.join(',')];
  for (const r of report.rows) lines.push([r.key, r.label, ...CSV_COLUMNS.map((c) => r[c])].map(csvCell).join(','));
  lines.push(['*', 'Totale', ...CSV_COLUMNS.map((c) => report.total[c])].map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

const STATUS_COLOURS: [keyof MilestoneFigures, string][] = [
  ['completed', BRAND_GREEN],
  ['active', '#2f6db5'],
  ['expired', '#c0392b'],
  ['withdrawn', '#8a8a8a'],
];

/** One stacked horizontal bar per group: completed, active, expired and withdrawn enrollments. */
export function statusChart(report: MilestoneReport, locale: 'it' | 'en'): string {
  const labelWidth = 220;
  const barMax = 420;
  const rowHeight = 26;
  const barHeight = 16;
  const top = 8;
  const rows = report.rows;
  const height = top * 2 + Math.max(1, rows.length) * rowHeight;
  const width = labelWidth + barMax + 60;
  const max = Math.max(1, ...rows.map((r) => r.enrollments));
  const title = locale === 'it' ? 'Adesioni per stato' : 'Enrollments by status';
  const bars = rows
    .map((r, i) => {
      const y = top + i * rowHeight;
      let x = labelWidth;
      const segments = STATUS_COLOURS.map(([k, colour]) => {
        const value = r[k] as number;
        const w = value === 0 ? 0 : Math.max(1, Math.round((value / max) * barMax));
        const seg = `<rect class="bar" x="${x}" y="${y}" width="${w}" height="${barHeight}" fill="${colour}"><title>${esc(COLUMN_LABEL[k][locale])}: ${value}</title></rect>`;
        x += w;
        return seg;
      }).join('');
      const mid = y + barHeight / 2;
      return (
        `<g><text x="${labelWidth - 8}" y="${mid}" text-anchor="end" dominant-baseline="middle">${esc(r.label)}</text>` +
        `${segments}<text x="${x + 6}" y="${mid}" dominant-baseline="middle">${r.enrollments}</text></g>`
      );
    })
    .join('');
  const legend = STATUS_COLOURS.map(
    ([k, colour]) =>
      `<span><svg class="swatch" width="12" height="12" aria-hidden="true" focusable="false"><rect width="12" height="12" fill="${colour}"/></svg> ${esc(COLUMN_LABEL[k][locale])}</span>`,
  ).join('');
  return (
    `<figure><figcaption>${esc(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(title)}" font-family="system-ui,sans-serif" font-size="13">` +
    `<title>${esc(title)}</title><line x1="${labelWidth}" y1="0" x2="${labelWidth}" y2="${height}" stroke="#888"/>${bars}</svg>` +
    `<p class="legend">${legend}</p></figure>`
  );
}

function formatFigure(key: keyof MilestoneFigures, v: number | null, locale: 'it' | 'en'): string {
  if (v === null) return '–';
  if (key === 'completionRate')
    return `${(v * 100).toLocaleString(locale === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: 1 })}%`;
  return v.toLocaleString(locale === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: 1 });
}

/** The report's table: one row per group, the total in the footer. */
export function milestoneTable(report: MilestoneReport, locale: 'it' | 'en', caption: string): string {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const head = `<tr><th scope="col">${esc(DIMENSION_LABEL[report.by][locale])}</th>${CSV_COLUMNS.map((c) => `<th scope="col" class="num">${esc(COLUMN_LABEL[c][locale])}</th>`).join('')}</tr>`;
  const body = report.rows
    .map(
      (r) =>
        `<tr><th scope="row">${esc(r.label)}</th>${CSV_COLUMNS.map((c) => `<td class="num">${esc(formatFigure(c, r[c], locale))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const foot = `<tr><th scope="row">${t('Totale', 'Total')}</th>${CSV_COLUMNS.map((c) => `<td class="num">${esc(formatFigure(c, report.total[c], locale))}</td>`).join('')}</tr>`;
  return `<table>
<caption>${esc(caption)}</caption>
<thead>${head}</thead>
<tbody>
${body}
</tbody>
<tfoot>${foot}</tfoot>
</table>`;
}

export function milestoneReportHtml(report: MilestoneReport, locale: 'it' | 'en', title?: string): string {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const heading =
    title ??
    `${t('Traguardi dei percorsi di conciliazione per', 'Work-life balance pathway milestones by')} ${DIMENSION_LABEL[report.by][locale].toLowerCase()}`;
  const table = milestoneTable(report, locale, heading);
  const f = report.filters;
  const scope = [
    f.programme ? `${t('Edizione', 'Programme')}: ${f.programme}` : null,
    f.atsCode ? `${t('Rete', 'Network')}: ${f.atsCode}` : null,
    f.from ? `${t('dal', 'from')} ${formatRomeDateTime(Date.parse(f.from), locale)}` : null,
    f.to ? `${t('al', 'to')} ${formatRomeDateTime(Date.parse(f.to), locale)}` : null,
  ].filter(Boolean);
  const summary = `<p>${t('Situazione al', 'As of')} ${esc(formatRomeDateTime(Date.parse(report.asOf), locale))}${scope.length ? ' · ' + esc(scope.join(' · ')) : ''}</p>
<p>${t('Adesioni', 'Enrollments')}: <strong>${report.total.enrollments}</strong> · ${t('concluse', 'completed')}: <strong>${report.total.completed}</strong> · ${t('a rischio', 'at risk')}: <strong>${report.total.atRisk}</strong></p>`;
  return reportPage({
    title: heading,
    locale,
    header: `Regione Lombardia · ${t('Conciliazione vita-lavoro', 'Work-life balance')}`,
    body: `${summary}\n${statusChart(report, locale)}\n${table}\n<p><small>${esc(
      t(
        'A rischio: percorsi in corso con la fase attuale scaduta o a meno di 20 giorni lavorativi dalla fine dell’edizione. Giorni per fase: giorni di calendario dall’avvio al completamento.',
        'At risk: active pathways whose current step is overdue or whose programme ends within 20 working days. Days per step: calendar days from start to completion.',
      ),
    )}</small></p>`,
  });
}

export function renderMilestoneReport(report: MilestoneReport, format: ReportFormat, locale: 'it' | 'en'): string {
  switch (format) {
    case 'csv':
      return milestoneReportCsv(report);
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'html':
      return milestoneReportHtml(report, locale);
    default:
      throw new DomainError(
        'unsupported_format',
        {
          it: `Formato ${JSON.stringify(format)} non supportato: usare csv, json o html`,
          en: `Unsupported format ${JSON.stringify(format)}: use csv, json or html`,
        },
        { format },
      );
  }
}
