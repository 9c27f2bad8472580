import { CompleteStepForm } from './complete-step';
import { DocumentsTimeline, type DocumentTimelineItem } from './documents';
import { Flash } from './flash';
import { Layout, type NavUser } from './layout';
import { T, type Locale } from './texts';

export interface EnrollmentStepRow {
  key: string;
  name: string;
  status: string;
  due: string;
  /** Shown when the step cannot be completed here: its completion time or a dash. */
  completed: string;
  completable: boolean;
}

export interface TimelineEntry {
  /** ISO instant, for <time datetime>. */
  at: string;
  when: string;
  label: string;
  stepName: string | null;
  actor: string;
  late: boolean;
  evidence: string | null;
}

export interface EnrollmentPageProps {
  locale: Locale;
  here: string;
  user: NavUser;
  flash: string | null;
  enrollmentId: string;
  companyName: string;
  pathwayName: string;
  status: string;
  consultantName: string;
  steps: EnrollmentStepRow[];
  timeline: TimelineEntry[];
  documents?: DocumentTimelineItem[];
}

export function EnrollmentPage(p: EnrollmentPageProps) {
  const t = T[p.locale];
  return (
    <Layout locale={p.locale} title={`${p.companyName} · conciliaflow`} here={p.here} user={p.user}>
      <h1>{p.companyName}</h1>
      <Flash code={p.flash} locale={p.locale} />
      <p>
        {t.pathway}: <strong>{p.pathwayName}</strong> · {t.status}: <strong>{p.status}</strong> · {t.consultant}:{' '}
        {p.consultantName}
      </p>
      <table class="responsive">
        <caption>{t.steps}</caption>
        <thead>
          <tr>
            <th scope="col">{t.step}</th>
            <th scope="col">{t.status}</th>
            <th scope="col">{t.due}</th>
            <th scope="col">{t.action}</th>
          </tr>
        </thead>
        <tbody>
          {p.steps.map((s) => (
            <tr>
              <th scope="row" data-label={t.step}>
                {s.name}
              </th>
              <td data-label={t.status}>{s.status}</td>
              <td data-label={t.due}>{s.due}</td>
              <td data-label={t.action}>
                {s.completable ? (
                  <CompleteStepForm
                    locale={p.locale}
                    csrf={p.user.csrf}
                    enrollmentId={p.enrollmentId}
                    stepKey={s.key}
                    back={p.here}
                  />
                ) : (
                  s.completed
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="timeline">{t.timeline}</h2>
      <ol class="timeline" aria-labelledby="timeline">
        {p.timeline.map((m) => (
          <li>
            <time dateTime={m.at}>{m.when}</time>
            <strong>{m.label}</strong>
            {m.stepName ? `: ${m.stepName}` : null}{' '}
            <span>
              {t.by} {m.actor}
            </span>
            {m.late ? (
              <>
                {' '}
                <span class="overdue">({t.late})</span>
              </>
            ) : null}
            {m.evidence ? (
              <>
                <br />
                <small>
                  {t.evidence}: {m.evidence}
                </small>
              </>
            ) : null}
          </li>
        ))}
      </ol>
      <DocumentsTimeline locale={p.locale} enrollmentId={p.enrollmentId} items={p.documents ?? []} />
    </Layout>
  );
}
