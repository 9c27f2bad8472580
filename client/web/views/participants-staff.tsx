/**
 * The dashboard's pages about a pathway's participants: who they are (with what they confirmed),
 * adding one and removing one, revoking a person's links (staff); and a step's survey in aggregate,
 * hidden below three answers. Pure views of their props; forms carry the session's CSRF token.
 */
import { Layout, type NavUser } from './layout';
import type { Locale } from './texts';

const tx = (locale: Locale) => (it: string, en: string) => (locale === 'it' ? it : en);

export interface StaffParticipantRow {
  id: string;
  name: string;
  email: string;
  role: string;
  removed: boolean;
  anonymised: boolean;
  attendanceConfirmed: number;
}

export interface ParticipantsStaffProps {
  locale: Locale;
  here: string;
  user: NavUser;
  enrollmentId: string;
  companyName: string;
  active: boolean;
  isStaff: boolean;
  rows: StaffParticipantRow[];
  surveys: { stepKey: string; stepName: string }[];
  /** A refusal and what was typed, kept. */
  error: string | null;
  done: 'added' | 'removed' | 'revoked' | null;
  typed: { name: string; email: string; role: string; locale: string };
}

const roleText = (role: string, t: (it: string, en: string) => string) =>
  role === 'owner'
    ? t('Titolare', 'Owner')
    : role === 'hr'
      ? t('Referente HR', 'HR contact')
      : t('Dipendente', 'Employee');

export function ParticipantsStaffPage(p: ParticipantsStaffProps) {
  const t = tx(p.locale);
  const base = `/app/enrollments/${encodeURIComponent(p.enrollmentId)}/participants`;
  const title = t(`Partecipanti · ${p.companyName}`, `Participants · ${p.companyName}`);
  return (
    <Layout locale={p.locale} title={`${title} · conciliaflow`} here={p.here} user={p.user}>
      <h1>{title}</h1>
      <p>
        <a href={`/app/enrollments/${encodeURIComponent(p.enrollmentId)}`}>
          {t('Torna al percorso', 'Back to the pathway')}
        </a>
      </p>
      {p.error ? (
        <p class="flash err" role="alert">
          {p.error}
        </p>
      ) : null}
      {p.done ? (
        <p class="flash ok" role="status">
          {p.done === 'added'
            ? t(
                'Partecipante aggiunto: riceverà le prossime email con il suo link personale.',
                'Participant added: the next emails will reach them with their personal link.',
              )
            : p.done === 'removed'
              ? t(
                  'Partecipante rimosso: non riceverà altre email e il suo link non funziona più.',
                  'Participant removed: no more emails, and their link no longer works.',
                )
              : t(
                  'Link revocato: la prossima email ne porterà uno nuovo.',
                  'Link revoked: the next email will carry a new one.',
                )}
        </p>
      ) : null}
      <table class="responsive">
        <caption>{t('Partecipanti dell’impresa', 'The company’s participants')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('Nome', 'Name')}</th>
            <th scope="col">Email</th>
            <th scope="col">{t('Ruolo', 'Role')}</th>
            <th scope="col">{t('Presenze confermate', 'Attendance confirmed')}</th>
            <th scope="col">{t('Azioni', 'Actions')}</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr key={r.id}>
              <td data-label={t('Nome', 'Name')}>{r.name}</td>
              <td data-label="Email">{r.email}</td>
              <td data-label={t('Ruolo', 'Role')}>
                {roleText(r.role, t)}
                {r.removed
                  ? ` (${t('rimosso', 'removed')})`
                  : r.anonymised
                    ? ` (${t('anonimizzato', 'anonymised')})`
                    : ''}
              </td>
              <td data-label={t('Presenze confermate', 'Attendance confirmed')} class="num">
                {r.attendanceConfirmed}
              </td>
              <td data-label={t('Azioni', 'Actions')}>
                {!r.removed && !r.anonymised && p.active ? (
                  <form method="post" action={`${base}/${encodeURIComponent(r.id)}/remove`} class="inline">
                    <input type="hidden" name="csrf" value={p.user.csrf} />
                    <button type="submit" aria-label={t(`Rimuovi ${r.name}`, `Remove ${r.name}`)}>
                      {t('Rimuovi', 'Remove')}
                    </button>
                  </form>
                ) : null}{' '}
                {p.isStaff && !r.removed && !r.anonymised ? (
                  <form method="post" action={`${base}/${encodeURIComponent(r.id)}/revoke-link`} class="inline">
                    <input type="hidden" name="csrf" value={p.user.csrf} />
                    <button type="submit" aria-label={t(`Revoca il link di ${r.name}`, `Revoke ${r.name}'s link`)}>
                      {t('Revoca il link', 'Revoke link')}
                    </button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.active ? (
        <form method="post" action={base} class="narrow">
          <h2>{t('Aggiungi un partecipante', 'Add a participant')}</h2>
          <input type="hidden" name="csrf" value={p.user.csrf} />
          <label for="p-name">{t('Nome e cognome', 'Full name')}</label>
          <input id="p-name" name="name" required maxLength={120} value={p.typed.name} autocomplete="off" />
          <label for="p-email">Email</label>
          <input
            id="p-email"
            name="email"
            type="email"
            required
            maxLength={254}
            value={p.typed.email}
            autocomplete="off"
          />
          <label for="p-role">{t('Ruolo', 'Role')}</label>
          <select id="p-role" name="role">
            {(['owner', 'hr', 'employee'] as const).map((r) => (
              <option key={r} value={r} selected={p.typed.role === r}>
                {roleText(r, t)}
              </option>
            ))}
          </select>
          <label for="p-locale">{t('Lingua delle email', 'Email language')}</label>
          <select id="p-locale" name="locale">
            <option value="it" selected={p.typed.locale !== 'en'}>
              Italiano
            </option>
            <option value="en" selected={p.typed.locale === 'en'}>
              English
            </option>
          </select>
          <p>
            <button type="submit">{t('Aggiungi', 'Add')}</button>
          </p>
        </form>
      ) : null}
      {p.isStaff && p.surveys.length > 0 ? (
        <>
          <h2>{t('Questionari', 'Questionnaires')}</h2>
          <ul>
            {p.surveys.map((s) => (
              <li key={s.stepKey}>
                <a
                  href={`/app/enrollments/${encodeURIComponent(p.enrollmentId)}/survey/${encodeURIComponent(s.stepKey)}`}
                >
                  {s.stepName}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Layout>
  );
}

export interface SurveyResultsProps {
  locale: Locale;
  here: string;
  user: NavUser;
  enrollmentId: string;
  companyName: string;
  stepName: string;
  title: string;
  invited: number;
  responses: number;
  minimum: number;
  questions: { id: string; label: string; options: { id: string; label: string; count: number }[] }[] | null;
  attendanceConfirmed: number;
}

export function SurveyResultsPage(p: SurveyResultsProps) {
  const t = tx(p.locale);
  return (
    <Layout locale={p.locale} title={`${p.title} · ${p.companyName} · conciliaflow`} here={p.here} user={p.user}>
      <h1>{p.title}</h1>
      <p>
        {p.companyName} — {p.stepName}.{' '}
        <a href={`/app/enrollments/${encodeURIComponent(p.enrollmentId)}/participants`}>
          {t('Partecipanti', 'Participants')}
        </a>
      </p>
      <p>
        {t(
          `Risposte: ${p.responses} su ${p.invited} persone invitate. Presenze confermate agli incontri: ${p.attendanceConfirmed}.`,
          `Answers: ${p.responses} of ${p.invited} people invited. Training attendance confirmed: ${p.attendanceConfirmed}.`,
        )}
      </p>
      {p.questions === null ? (
        <p role="status">
          {t(
            `I risultati si vedono da ${p.minimum} risposte in su, perché nessuna risposta si possa attribuire a una persona.`,
            `Results are shown from ${p.minimum} answers up, so that no answer can be traced to a person.`,
          )}
        </p>
      ) : (
        p.questions.map((q) => (
          <table key={q.id}>
            <caption>{q.label}</caption>
            <thead>
              <tr>
                <th scope="col">{t('Risposta', 'Answer')}</th>
                <th scope="col" class="num">
                  {t('Persone', 'People')}
                </th>
              </tr>
            </thead>
            <tbody>
              {q.options.map((o) => (
                <tr key={o.id}>
                  <td>{o.label}</td>
                  <td class="num">{o.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))
      )}
    </Layout>
  );
}
