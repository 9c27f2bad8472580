import { CompleteStepForm } from './complete-step';
import { Flash } from './flash';
import { Layout, type NavUser } from './layout';
import { T, type Locale } from './texts';

export interface WorkItem {
  enrollmentId: string;
  companyName: string;
  pathwayName: string;
  stepName: string;
  /** Formatted due date, or a dash. */
  due: string;
  /** The step to complete, when there is one. */
  stepKey: string | null;
}

export type WorkGroup = 'overdue' | 'today' | 'week' | 'later';

export interface WorkListProps {
  locale: Locale;
  here: string;
  user: NavUser;
  flash: string | null;
  groups: Record<WorkGroup, WorkItem[]>;
}

const ORDER: WorkGroup[] = ['overdue', 'today', 'week', 'later'];

export function WorkListPage({ locale, here, user, flash, groups }: WorkListProps) {
  const t = T[locale];
  return (
    <Layout locale={locale} title={`${t.worklist} · conciliaflow`} here={here} user={user}>
      <h1>{t.worklist}</h1>
      <Flash code={flash} locale={locale} />
      {ORDER.map((g, i) => (
        <section>
          <h2 id={`g${i}`}>
            {t[g]} ({groups[g].length})
          </h2>
          {groups[g].length === 0 ? (
            <p>{t.none}</p>
          ) : (
            <table class="responsive" aria-labelledby={`g${i}`}>
              <thead>
                <tr>
                  <th scope="col">{t.company}</th>
                  <th scope="col">{t.pathway}</th>
                  <th scope="col">{t.step}</th>
                  <th scope="col">{t.due}</th>
                  <th scope="col">{t.action}</th>
                </tr>
              </thead>
              <tbody>
                {groups[g].map((e) => (
                  <tr>
                    <th scope="row" data-label={t.company}>
                      <a href={`/app/enrollments/${encodeURIComponent(e.enrollmentId)}`}>{e.companyName}</a>
                    </th>
                    <td data-label={t.pathway}>{e.pathwayName}</td>
                    <td data-label={t.step}>{e.stepName}</td>
                    <td data-label={t.due} class={g === 'overdue' ? 'overdue' : undefined}>
                      {e.due}
                    </td>
                    <td data-label={t.action}>
                      {e.stepKey ? (
                        <CompleteStepForm
                          locale={locale}
                          csrf={user.csrf}
                          enrollmentId={e.enrollmentId}
                          stepKey={e.stepKey}
                          back="/app"
                        />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </Layout>
  );
}
