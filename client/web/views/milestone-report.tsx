/** The milestone report's chart and table (also on the network page) and its printable document. */
import { COLUMN_LABEL, DIMENSION_LABEL, FIGURE_COLUMNS } from '../../../reports/milestone-labels';
import type { MilestoneFigures, MilestoneReport } from '../../../reports/milestones';
import { formatRomeDateTime } from '../../../domain/calendar';
import { BarChart, BRAND_GREEN, ReportDocument } from './report';
import type { Locale } from './texts';

const STATUS_COLOURS: [keyof MilestoneFigures, string][] = [
  ['completed', BRAND_GREEN],
  ['active', '#2f6db5'],
  ['expired', '#c0392b'],
  ['withdrawn', '#8a8a8a'],
];

/** Characters of a bar's label that fit in its 220 units at 13 px. */
const LABEL_CHARS = 30;

/** A label cut at a word where it can be, with an ellipsis; short labels unchanged. */
export function abbreviate(label: string, max: number): string {
  if (label.length <= max) return label;
  const cut = label.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** One stacked horizontal bar per group: completed, active, expired and withdrawn enrollments. */
export function StatusChart({ report, locale }: { report: MilestoneReport; locale: Locale }) {
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
  return (
    <figure>
      <figcaption>{title}</figcaption>
      <BarChart width={width} height={height} labelWidth={labelWidth} label={title}>
        {rows.map((r, i) => {
          const y = top + i * rowHeight;
          const mid = y + barHeight / 2;
          let x = labelWidth;
          const segments = STATUS_COLOURS.map(([k, colour]) => {
            const value = r[k] as number;
            const w = value === 0 ? 0 : Math.max(1, Math.round((value / max) * barMax));
            const seg = (
              <rect class="bar" x={x} y={y} width={w} height={barHeight} fill={colour}>
                <title>
                  {COLUMN_LABEL[k][locale]}: {value}
                </title>
              </rect>
            );
            x += w;
            return seg;
          });
          const short = abbreviate(r.label, LABEL_CHARS);
          return (
            <g>
              {/* The full name on hover (and in the table below) when the label had to be shortened. */}
              <title>{r.label}</title>
              <text x={labelWidth - 8} y={mid} text-anchor="end" dominant-baseline="middle">
                {short}
              </text>
              {segments}
              <text x={x + 6} y={mid} dominant-baseline="middle">
                {r.enrollments}
              </text>
            </g>
          );
        })}
      </BarChart>
      <p class="legend">
        {STATUS_COLOURS.map(([k, colour]) => (
          <span>
            <svg class="swatch" width="12" height="12" aria-hidden="true" focusable="false">
              <rect width="12" height="12" fill={colour} />
            </svg>{' '}
            {COLUMN_LABEL[k][locale]}
          </span>
        ))}
      </p>
    </figure>
  );
}

function formatFigure(key: keyof MilestoneFigures, v: number | null, locale: Locale): string {
  if (v === null) return '–';
  const tag = locale === 'it' ? 'it-IT' : 'en-GB';
  if (key === 'completionRate') return `${(v * 100).toLocaleString(tag, { maximumFractionDigits: 1 })}%`;
  return v.toLocaleString(tag, { maximumFractionDigits: 1 });
}

/** The report's table: one row per group, the total in the footer. */
export function MilestoneTable({
  report,
  locale,
  caption,
}: {
  report: MilestoneReport;
  locale: Locale;
  caption: string;
}) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{DIMENSION_LABEL[report.by][locale]}</th>
          {FIGURE_COLUMNS.map((c) => (
            <th scope="col" class="num">
              {COLUMN_LABEL[c][locale]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {report.rows.map((r) => (
          <tr>
            <th scope="row">{r.label}</th>
            {FIGURE_COLUMNS.map((c) => (
              <td class="num">{formatFigure(c, r[c], locale)}</td>
            ))}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{locale === 'it' ? 'Totale' : 'Total'}</th>
          {FIGURE_COLUMNS.map((c) => (
            <td class="num">{formatFigure(c, report.total[c], locale)}</td>
          ))}
        </tr>
      </tfoot>
    </table>
  );
}

export function MilestoneReportDocument({
  report,
  locale,
  title,
}: {
  report: MilestoneReport;
  locale: Locale;
  title?: string;
}) {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const heading =
    title ??
    `${t('Traguardi dei percorsi di conciliazione per', 'Work-life balance pathway milestones by')} ${DIMENSION_LABEL[report.by][locale].toLowerCase()}`;
  const f = report.filters;
  const scope = [
    f.programme ? `${t('Edizione', 'Programme')}: ${f.programme}` : null,
    f.atsCode ? `${t('Rete', 'Network')}: ${f.atsCode}` : null,
    f.from ? `${t('dal', 'from')} ${formatRomeDateTime(Date.parse(f.from), locale)}` : null,
    f.to ? `${t('al', 'to')} ${formatRomeDateTime(Date.parse(f.to), locale)}` : null,
  ].filter(Boolean);
  return (
    <ReportDocument
      locale={locale}
      title={heading}
      brand={`Regione Lombardia · ${t('Conciliazione vita-lavoro', 'Work-life balance')}`}
    >
      <p>
        {t('Situazione al', 'As of')} {formatRomeDateTime(Date.parse(report.asOf), locale)}
        {scope.length ? ` · ${scope.join(' · ')}` : null}
      </p>
      <p>
        {t('Adesioni', 'Enrollments')}: <strong>{report.total.enrollments}</strong> · {t('concluse', 'completed')}:{' '}
        <strong>{report.total.completed}</strong> · {t('a rischio', 'at risk')}: <strong>{report.total.atRisk}</strong>
      </p>
      <StatusChart report={report} locale={locale} />
      <MilestoneTable report={report} locale={locale} caption={heading} />
      <p>
        <small>
          {t(
            'A rischio: percorsi in corso con la fase attuale scaduta o a meno di 20 giorni lavorativi dalla fine dell’edizione. Giorni per fase: giorni di calendario dall’avvio al completamento.',
            'At risk: active pathways whose current step is overdue or whose programme ends within 20 working days. Days per step: calendar days from start to completion.',
          )}
        </small>
      </p>
    </ReportDocument>
  );
}
