/**
 * The per-province funding report of the ESF call for childhood and adolescence services, as CSV, JSON or a
 * self-contained HTML page that prints to PDF.
 */
import { BRAND_GREEN as GREEN, esc, reportPage } from '../activities/reports/page';
import { DomainError } from '../domain/errors';
import { fundingByProvince, type FundingByProvince, type FundingProject } from '../domain/funding';
import { formatEuro } from '../domain/money';
import { PROVINCES } from '../domain/territory';
import { fundingToCsv } from './funding-csv';

export interface FundingReport {
  /** Heading of the report, e.g. the decree that funded the projects; a default is used when absent. */
  title?: string;
  byProvince: FundingByProvince;
  /** Funded projects, listed after the province table when given. */
  fundedProjects?: readonly FundingProject[];
}

export type FundingReportFormat = 'csv' | 'json' | 'html';

/** The report of a call's current state: per-province totals and the funded projects in rank order. */
export function buildFundingReport(projects: readonly FundingProject[], title?: string): FundingReport {
  return {
    ...(title === undefined ? {} : { title }),
    byProvince: fundingByProvince(projects),
    fundedProjects: projects.filter((p) => p.status === 'funded').sort((a, b) => a.rank - b.rank),
  };
}

function defaultTitle(locale: 'it' | 'en'): string {
  return locale === 'it'
    ? "POR FSE – Servizi per l'infanzia e l'adolescenza (bando del 10 marzo 2017): contributi per provincia"
    : 'ESF ROP – Childhood and adolescence services (call of 10 March 2017): grants by province';
}

function provinceName(code: string): string {
  return PROVINCES.find((p) => p.code === code)?.name ?? code;
}

function renderJson(report: FundingReport, locale: 'it' | 'en'): string {
  const { rows, total } = report.byProvince;
  return (
    JSON.stringify(
      {
        title: report.title ?? defaultTitle(locale),
        locale,
        provinces: rows.map((r) => ({ ...r, granted: formatEuro(r.grantedCents, locale) })),
        total: { ...total, granted: formatEuro(total.grantedCents, locale) },
        ...(report.fundedProjects
          ? {
              fundedProjects: report.fundedProjects.map((p) => ({
                rank: p.rank,
                code: p.code,
                title: p.title,
                leadBody: p.leadBody,
                partners: p.partners,
                provinceCode: p.provinceCode,
                eligibleCostCents: p.eligibleCostCents,
                grantedCents: p.requestedGrantCents,
              })),
            }
          : {}),
      },
      null,
      2,
    ) + '\n'
  );
}

/** Horizontal bars of the granted amount per province, scaled to the largest; drawn inline so the page stays offline. */
function renderChart(report: FundingReport, locale: 'it' | 'en'): string {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const { rows } = report.byProvince;
  const labelWidth = 170;
  const barMax = 400;
  const width = labelWidth + barMax + 150;
  const rowHeight = 26;
  const barHeight = 16;
  const top = 8;
  const height = top * 2 + rows.length * rowHeight;
  const max = Math.max(0, ...rows.map((r) => r.grantedCents));
  const label = t('Contributo concesso per provincia', 'Granted amount per province');
  const bars = rows
    .map((r, i) => {
      const y = top + i * rowHeight;
      // A funded province keeps at least a sliver of bar, so it is never confused with one that got nothing.
      const w = max === 0 || r.grantedCents === 0 ? 0 : Math.max(1, Math.round((r.grantedCents / max) * barMax));
      const amount = formatEuro(r.grantedCents, locale);
      const mid = y + barHeight / 2;
      return (
        `<g><title>${esc(r.provinceName)}: ${esc(amount)}</title>` +
        `<text x="${labelWidth - 8}" y="${mid}" text-anchor="end" dominant-baseline="middle">${esc(r.provinceName)}</text>` +
        `<rect class="bar" x="${labelWidth}" y="${y}" width="${w}" height="${barHeight}" fill="${GREEN}"/>` +
        `<text x="${labelWidth + w + 6}" y="${mid}" dominant-baseline="middle">${esc(amount)}</text></g>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(label)}" font-family="system-ui,sans-serif" font-size="13">` +
    `<title>${esc(label)}</title>` +
    `<line x1="${labelWidth}" y1="0" x2="${labelWidth}" y2="${height}" stroke="#888"/>${bars}</svg>`
  );
}

function renderHtml(report: FundingReport, locale: 'it' | 'en'): string {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const euro = (cents: number) => esc(formatEuro(cents, locale));
  const title = report.title ?? defaultTitle(locale);
  const { rows, total } = report.byProvince;

  const provinceRows = rows
    .map(
      (r) =>
        `<tr><th scope="row">${esc(r.provinceName)}</th><td class="num">${esc(r.fundedProjects)}</td><td class="num">${euro(r.grantedCents)}</td></tr>`,
    )
    .join('\n');
  const provinceTable = `<table>
<caption>${t('Progetti finanziati e contributi concessi per provincia', 'Funded projects and granted amounts per province')}</caption>
<thead><tr><th scope="col">${t('Provincia', 'Province')}</th><th scope="col" class="num">${t('Progetti finanziati', 'Funded projects')}</th><th scope="col" class="num">${t('Contributo concesso', 'Granted amount')}</th></tr></thead>
<tbody>
${provinceRows}
</tbody>
<tfoot><tr><th scope="row">${t('Totale', 'Total')}</th><td class="num">${esc(total.fundedProjects)}</td><td class="num">${euro(total.grantedCents)}</td></tr></tfoot>
</table>`;

  const projects = report.fundedProjects ?? [];
  const projectTable =
    projects.length === 0
      ? ''
      : `<table>
<caption>${t('Progetti finanziati in ordine di graduatoria', 'Funded projects in rank order')}</caption>
<thead><tr><th scope="col" class="num">${t('Posizione', 'Rank')}</th><th scope="col">${t('Codice', 'Code')}</th><th scope="col">${t('Titolo', 'Title')}</th><th scope="col">${t('Capofila', 'Lead body')}</th><th scope="col">${t('Provincia', 'Province')}</th><th scope="col" class="num">${t('Costo ammissibile', 'Eligible cost')}</th><th scope="col" class="num">${t('Contributo', 'Grant')}</th></tr></thead>
<tbody>
${projects
  .map(
    (p) =>
      `<tr><td class="num">${esc(p.rank)}</td><th scope="row">${esc(p.code)}</th><td>${esc(p.title)}</td><td>${esc(p.leadBody)}</td><td>${esc(provinceName(p.provinceCode))}</td><td class="num">${euro(p.eligibleCostCents)}</td><td class="num">${euro(p.requestedGrantCents)}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`;

  const body = `<p>${t('Progetti finanziati', 'Funded projects')}: <strong>${esc(total.fundedProjects)}</strong> · ${t('Contributi concessi', 'Granted amounts')}: <strong>${euro(total.grantedCents)}</strong></p>
${provinceTable}
<figure>
<figcaption>${t('Contributo concesso per provincia', 'Granted amount per province')}</figcaption>
${renderChart(report, locale)}
</figure>
${projectTable}`;
  return reportPage({
    title,
    locale,
    header: `Regione Lombardia · ${t('Fondo Sociale Europeo', 'European Social Fund')}`,
    body,
  });
}

/** The report in the requested format; CSV is locale-independent (plain 1234.56 amounts) so it can be processed. */
export function renderFundingReport(report: FundingReport, format: FundingReportFormat, locale: 'it' | 'en'): string {
  switch (format) {
    case 'csv':
      return fundingToCsv(report.byProvince.rows);
    case 'json':
      return renderJson(report, locale);
    case 'html':
      return renderHtml(report, locale);
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
