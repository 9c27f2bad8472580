import type { MilestoneReport } from '../../../reports/milestones';
import { Layout, type NavUser } from './layout';
import { MilestoneTable, StatusChart } from './milestone-report';
import { T, type Locale } from './texts';

export interface NetworkPageProps {
  locale: Locale;
  here: string;
  user: NavUser;
  networkName: string;
  report: MilestoneReport;
}

export function NetworkPage({ locale, here, user, networkName, report }: NetworkPageProps) {
  const title = `${T[locale].overview}: ${networkName}`;
  return (
    <Layout locale={locale} title={`${title} · conciliaflow`} here={here} user={user}>
      <h1>{title}</h1>
      <p>
        <a href="/reports/milestones?format=csv">CSV</a> · <a href="/reports/milestones?format=html">HTML/PDF</a>
      </p>
      <StatusChart report={report} locale={locale} />
      <MilestoneTable report={report} locale={locale} caption={title} />
    </Layout>
  );
}
