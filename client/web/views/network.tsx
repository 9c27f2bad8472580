import type { MilestoneReport } from '../../../reports/milestones';
import { Layout, type NavUser } from './layout';
import { MilestoneTable, StatusChart } from './milestone-report';
import { T, type Locale } from './texts';
import { W } from './texts-workspace';
import type { WorkloadRow } from '../workspace-loaders';

export interface NetworkPageProps {
  locale: Locale;
  here: string;
  user: NavUser;
  networkName: string;
  report: MilestoneReport;
  /** Each consultant's open and overdue pathways in this scope. */
  workload?: WorkloadRow[];
}

export function NetworkPage({ locale, here, user, networkName, report, workload }: NetworkPageProps) {
  const title = `${T[locale].overview}: ${networkName}`;
  const w = W[locale];
  return (
    <Layout locale={locale} title={`${title} · conciliaflow`} here={here} user={user}>
      <h1>{title}</h1>
      <p>
        <a href="/reports/milestones?format=csv">CSV</a> · <a href="/reports/milestones?format=html">HTML/PDF</a>
      </p>
      <StatusChart report={report} locale={locale} />
      <div class="table-scroll" role="region" aria-label={title} tabIndex={0}>
        <MilestoneTable report={report} locale={locale} caption={title} />
      </div>
      <p>
        <a href="/app?status=active&sort=due">{w.firmTable}</a> ·{' '}
        <a href="/app?status=active&overdue=1">{w.lateCount}</a>
      </p>
      {workload ? (
        <>
          <h2 id="workload">{w.workload}</h2>
          <table class="responsive" aria-labelledby="workload">
            <thead>
              <tr>
                <th scope="col">{w.consultant}</th>
                <th scope="col" class="num">
                  {w.open}
                </th>
                <th scope="col" class="num">
                  {w.lateCount}
                </th>
              </tr>
            </thead>
            <tbody>
              {workload.map((r) => (
                <tr>
                  <th scope="row" data-label={w.consultant}>
                    <a href={`/app?consultant=${encodeURIComponent(r.email)}`}>{r.name}</a>
                  </th>
                  <td class="num" data-label={w.open}>
                    {r.open}
                  </td>
                  <td class="num" data-label={w.lateCount}>
                    <a href={`/app?consultant=${encodeURIComponent(r.email)}&overdue=1`}>{r.overdue}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Layout>
  );
}
