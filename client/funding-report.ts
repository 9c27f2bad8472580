/**
 * The per-province funding report of the ESF call for childhood and adolescence services, as CSV, JSON or a
 * self-contained HTML page that prints to PDF.
 */
import { h } from 'preact';
import { unsupportedFormat, type ReportFormat } from '../reports/format';
import { fundingByProvince, type FundingByProvince, type FundingProject } from '../domain/funding';
import { formatEuro } from '../domain/money';
import { fundingToCsv } from './funding-csv';
import { render } from './web/render';
import { FundingReportDocument } from './web/views/funding-report';
import type { Locale } from '../domain/locale';

export interface FundingReport {
  /** Heading of the report, e.g. the decree that funded the projects; a default is used when absent. */
  title?: string;
  byProvince: FundingByProvince;
  /** Funded projects, listed after the province table when given. */
  fundedProjects?: readonly FundingProject[];
  /** Admitted projects still waiting for money, in rank order: the next ones a new allocation funds. */
  unfundedProjects?: readonly FundingProject[];
  /** The ledger's money: allocated in all and what the last allocation left. */
  budget?: { allocatedCents: number; remainingCents: number };
}

export type FundingReportFormat = ReportFormat;

/** The report of a call's current state: per-province totals and the funded projects in rank order. */
export function buildFundingReport(
  projects: readonly FundingProject[],
  title?: string,
  budget?: { allocatedCents: number; remainingCents: number },
): FundingReport {
  const inRank = (status: FundingProject['status']) =>
    projects.filter((p) => p.status === status).sort((a, b) => a.rank - b.rank);
  return {
    ...(title === undefined ? {} : { title }),
    byProvince: fundingByProvince(projects),
    fundedProjects: inRank('funded'),
    unfundedProjects: inRank('admitted'),
    ...(budget ? { budget } : {}),
  };
}

function defaultTitle(locale: Locale): string {
  return locale === 'it'
    ? "POR FSE – Servizi per l'infanzia e l'adolescenza (bando del 10 marzo 2017): contributi per provincia"
    : 'ESF ROP – Childhood and adolescence services (call of 10 March 2017): grants by province';
}

function renderJson(report: FundingReport, locale: Locale): string {
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
        ...(report.unfundedProjects
          ? {
              admittedUnfundedProjects: report.unfundedProjects.map((p) => ({
                rank: p.rank,
                code: p.code,
                title: p.title,
                leadBody: p.leadBody,
                provinceCode: p.provinceCode,
                requestedGrantCents: p.requestedGrantCents,
              })),
            }
          : {}),
        ...(report.budget
          ? {
              budget: {
                ...report.budget,
                allocated: formatEuro(report.budget.allocatedCents, locale),
                remaining: formatEuro(report.budget.remainingCents, locale),
              },
            }
          : {}),
      },
      null,
      2,
    ) + '\n'
  );
}

/** The report in the requested format; CSV is locale-independent (plain 1234.56 amounts) so it can be processed. */
export function renderFundingReport(report: FundingReport, format: FundingReportFormat, locale: Locale): string {
  switch (format) {
    case 'csv':
      return fundingToCsv(report.byProvince.rows);
    case 'json':
      return renderJson(report, locale);
    case 'html':
      return render(h(FundingReportDocument, { report, locale, title: report.title ?? defaultTitle(locale) }));
    default:
      throw unsupportedFormat(format);
  }
}
