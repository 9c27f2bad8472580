/** The ESF funding report as a printable document: province table, chart of grants, funded projects. */
import type { FundingReport } from '../../funding-report';
import { formatEuro } from '../../../domain/money';
import { PROVINCES } from '../../../domain/territory';
import { BarChart, BRAND_GREEN, ReportDocument } from './report';
import type { Locale } from './texts';

const provinceName = (code: string) => PROVINCES.find((p) => p.code === code)?.name ?? code;

type ReportProject = NonNullable<FundingReport['fundedProjects']>[number];

/** Projects in rank order: the funded ones (with their eligible cost) or those admitted but not yet funded. */
function ProjectTable(props: {
  projects: readonly ReportProject[];
  locale: Locale;
  caption: string;
  grantLabel: string;
  withEligibleCost?: boolean;
}) {
  const { projects, locale } = props;
  if (projects.length === 0) return null;
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const euro = (cents: number) => formatEuro(cents, locale);
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col" class="num">
            {t('Posizione', 'Rank')}
          </th>
          <th scope="col">{t('Codice', 'Code')}</th>
          <th scope="col">{t('Titolo', 'Title')}</th>
          <th scope="col">{t('Capofila', 'Lead body')}</th>
          <th scope="col">{t('Provincia', 'Province')}</th>
          {props.withEligibleCost ? (
            <th scope="col" class="num">
              {t('Costo ammissibile', 'Eligible cost')}
            </th>
          ) : null}
          <th scope="col" class="num">
            {props.grantLabel}
          </th>
        </tr>
      </thead>
      <tbody>
        {projects.map((p) => (
          <tr>
            <td class="num">{p.rank}</td>
            <th scope="row">{p.code}</th>
            <td>{p.title}</td>
            <td>{p.leadBody}</td>
            <td>{provinceName(p.provinceCode)}</td>
            {props.withEligibleCost ? <td class="num">{euro(p.eligibleCostCents)}</td> : null}
            <td class="num">{euro(p.requestedGrantCents)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Horizontal bars of the granted amount per province, scaled to the largest; inline so the page stays offline. */
function GrantChart({ report, locale, label }: { report: FundingReport; locale: Locale; label: string }) {
  const { rows } = report.byProvince;
  const labelWidth = 170;
  const barMax = 400;
  const width = labelWidth + barMax + 150;
  const rowHeight = 26;
  const barHeight = 16;
  const top = 8;
  const height = top * 2 + rows.length * rowHeight;
  const max = Math.max(0, ...rows.map((r) => r.grantedCents));
  return (
    <BarChart width={width} height={height} labelWidth={labelWidth} label={label}>
      {rows.map((r, i) => {
        const y = top + i * rowHeight;
        // A funded province keeps at least a sliver of bar, so it is never confused with one that got nothing.
        const w = max === 0 || r.grantedCents === 0 ? 0 : Math.max(1, Math.round((r.grantedCents / max) * barMax));
        const amount = formatEuro(r.grantedCents, locale);
        const mid = y + barHeight / 2;
        return (
          <g>
            <title>
              {r.provinceName}: {amount}
            </title>
            <text x={labelWidth - 8} y={mid} text-anchor="end" dominant-baseline="middle">
              {r.provinceName}
            </text>
            <rect class="bar" x={labelWidth} y={y} width={w} height={barHeight} fill={BRAND_GREEN} />
            <text x={labelWidth + w + 6} y={mid} dominant-baseline="middle">
              {amount}
            </text>
          </g>
        );
      })}
    </BarChart>
  );
}

export function FundingReportDocument({
  report,
  locale,
  title,
}: {
  report: FundingReport;
  locale: Locale;
  title: string;
}) {
  const t = (it: string, en: string) => (locale === 'it' ? it : en);
  const euro = (cents: number) => formatEuro(cents, locale);
  const { rows, total } = report.byProvince;
  const projects = report.fundedProjects ?? [];
  const unfunded = report.unfundedProjects ?? [];
  const chartLabel = t('Contributo concesso per provincia', 'Granted amount per province');
  return (
    <ReportDocument
      locale={locale}
      title={title}
      brand={`Regione Lombardia · ${t('Fondo Sociale Europeo', 'European Social Fund')}`}
    >
      <p>
        {t('Progetti finanziati', 'Funded projects')}: <strong>{total.fundedProjects}</strong> ·{' '}
        {t('Contributi concessi', 'Granted amounts')}: <strong>{euro(total.grantedCents)}</strong>
        {report.budget ? (
          <>
            {' '}
            · {t('Risorse stanziate', 'Funds allocated')}: <strong>{euro(report.budget.allocatedCents)}</strong> ·{' '}
            {t('Residuo disponibile', 'Budget left')}: <strong>{euro(report.budget.remainingCents)}</strong>
          </>
        ) : null}
        {unfunded.length > 0 ? (
          <>
            {' '}
            · {t('Ammessi non finanziati', 'Admitted but not funded')}: <strong>{unfunded.length}</strong> (
            {euro(unfunded.reduce((s, p) => s + p.requestedGrantCents, 0))})
          </>
        ) : null}
      </p>
      <table>
        <caption>
          {t(
            'Progetti finanziati e contributi concessi per provincia',
            'Funded projects and granted amounts per province',
          )}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('Provincia', 'Province')}</th>
            <th scope="col" class="num">
              {t('Progetti finanziati', 'Funded projects')}
            </th>
            <th scope="col" class="num">
              {t('Contributo concesso', 'Granted amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.provinceName}</th>
              <td class="num">{r.fundedProjects}</td>
              <td class="num">{euro(r.grantedCents)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('Totale', 'Total')}</th>
            <td class="num">{total.fundedProjects}</td>
            <td class="num">{euro(total.grantedCents)}</td>
          </tr>
        </tfoot>
      </table>
      <figure>
        <figcaption>{chartLabel}</figcaption>
        <GrantChart report={report} locale={locale} label={chartLabel} />
      </figure>
      <ProjectTable
        projects={projects}
        locale={locale}
        caption={t('Progetti finanziati in ordine di graduatoria', 'Funded projects in rank order')}
        withEligibleCost
        grantLabel={t('Contributo', 'Grant')}
      />
      <ProjectTable
        projects={unfunded}
        locale={locale}
        caption={t(
          'Progetti ammessi non ancora finanziati, in ordine di graduatoria',
          'Admitted projects not yet funded, in rank order',
        )}
        grantLabel={t('Contributo richiesto', 'Requested grant')}
      />
    </ReportDocument>
  );
}
