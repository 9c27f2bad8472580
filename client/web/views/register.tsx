/**
 * A training step's attendance register: its sessions, and per person the participant's own
 * confirmation and the minutes the consultant recorded. Printable (the print stylesheet hides the
 * forms); the CSV holds the same lines.
 */
import { Layout, type NavUser } from './layout';
import { DOC_T } from './texts-documents';
import type { Locale } from './texts';

export interface RegisterSessionView {
  id: string;
  when: string;
  at: string;
  minutes: number;
  place: string | null;
  cancelled: boolean;
  people: {
    participantId: string;
    name: string;
    confirmed: string | null;
    attendedMinutes: number | null;
    recordedBy: string | null;
  }[];
}

export interface RegisterPageProps {
  locale: Locale;
  here: string;
  user: NavUser;
  enrollmentId: string;
  stepKey: string;
  companyName: string;
  stepName: string;
  mayRecord: boolean;
  sessions: RegisterSessionView[];
  notice: string | null;
  error: string | null;
}

export function RegisterPage(p: RegisterPageProps) {
  const t = DOC_T[p.locale];
  const base = `/app/enrollments/${encodeURIComponent(p.enrollmentId)}/steps/${encodeURIComponent(p.stepKey)}`;
  return (
    <Layout locale={p.locale} title={`${t.register} · ${p.companyName} · conciliaflow`} here={p.here} user={p.user}>
      <h1>
        {t.register}: {p.stepName}
      </h1>
      <p>{p.companyName}</p>
      {p.notice ? (
        <p class="flash ok" role="status">
          {p.notice}
        </p>
      ) : null}
      {p.error ? (
        <p class="flash err" role="alert">
          {p.error}
        </p>
      ) : null}
      <p class="no-print">
        <a href={`/app/enrollments/${encodeURIComponent(p.enrollmentId)}/documents`}>{t.documents}</a> ·{' '}
        <a
          href={`/enrollments/${encodeURIComponent(p.enrollmentId)}/steps/${encodeURIComponent(p.stepKey)}/register.csv`}
        >
          {t.csv}
        </a>{' '}
        · {t.print}
      </p>
      <h2>{t.sessions}</h2>
      {p.sessions.length === 0 ? <p>{t.noSessions}</p> : null}
      {p.sessions.map((s) => (
        <section class="register-session" aria-labelledby={`s-${s.id}`}>
          <h3 id={`s-${s.id}`}>
            <time dateTime={s.at}>{s.when}</time> · {s.minutes} {t.minutes.toLowerCase()}
            {s.place ? ` · ${s.place}` : ''}
            {s.cancelled ? ` (${t.cancelled})` : ''}
          </h3>
          <table class="responsive">
            <caption class="visually-hidden">{s.when}</caption>
            <thead>
              <tr>
                <th scope="col">{t.participant}</th>
                <th scope="col">{t.confirmed}</th>
                <th scope="col">{t.attended}</th>
                <th scope="col">{t.recordedBy}</th>
              </tr>
            </thead>
            <tbody>
              {s.people.map((x) => (
                <tr>
                  <th scope="row" data-label={t.participant}>
                    {x.name}
                  </th>
                  <td data-label={t.confirmed}>{x.confirmed ?? '—'}</td>
                  <td data-label={t.attended}>
                    {p.mayRecord && !s.cancelled ? (
                      <form
                        method="post"
                        action={`/app/sessions/${encodeURIComponent(s.id)}/attendance`}
                        class="inline"
                      >
                        <input type="hidden" name="csrf" value={p.user.csrf} />
                        <input type="hidden" name="participantId" value={x.participantId} />
                        <label for={`m-${s.id}-${x.participantId}`} class="visually-hidden">
                          {t.attended}: {x.name}
                        </label>
                        <input
                          id={`m-${s.id}-${x.participantId}`}
                          name="attendedMinutes"
                          type="number"
                          min={0}
                          max={s.minutes}
                          value={x.attendedMinutes ?? ''}
                          required
                        />
                        <button type="submit">{t.record}</button>
                      </form>
                    ) : (
                      (x.attendedMinutes ?? '—')
                    )}
                  </td>
                  <td data-label={t.recordedBy}>{x.recordedBy ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {p.mayRecord && !s.cancelled ? (
            <form method="post" action={`/app/sessions/${encodeURIComponent(s.id)}/cancel`} class="no-print">
              <input type="hidden" name="csrf" value={p.user.csrf} />
              <button type="submit">{t.cancel}</button>
            </form>
          ) : null}
        </section>
      ))}
      {p.mayRecord ? (
        <form method="post" action={`${base}/sessions`} class="session-form no-print">
          <fieldset>
            <legend>{t.newSession}</legend>
            <input type="hidden" name="csrf" value={p.user.csrf} />
            <label for="session-date">{t.date}</label>
            <input id="session-date" name="date" type="date" required />
            <label for="session-start">{t.start}</label>
            <input id="session-start" name="start" type="time" required />
            <label for="session-minutes">{t.minutes}</label>
            <input id="session-minutes" name="minutes" type="number" min={15} max={600} required />
            <label for="session-place">{t.place}</label>
            <input id="session-place" name="place" maxlength={300} />
            <button type="submit">{t.add}</button>
          </fieldset>
        </form>
      ) : (
        <p class="no-print">{t.staffOnly}</p>
      )}
    </Layout>
  );
}
