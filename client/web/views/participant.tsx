/**
 * A participant's own pages, opened from the personal link in every email they get (no account):
 * the pathway at a glance, what is asked of them now and the actions that are theirs (confirm a
 * training session, acknowledge or sign, answer the survey), their consultant, the calendar file;
 * and the page of what is held about them, with consent to optional data. Pure views of their
 * props: every form carries the link's own CSRF value (participantFormCsrf).
 */
import { Layout } from './layout';
import type { Locale } from './texts';

type Tx = (it: string, en: string) => string;
const tx =
  (locale: Locale): Tx =>
  (it, en) =>
    locale === 'it' ? it : en;

export type ParticipantFlash =
  | 'attendance'
  | 'acknowledged'
  | 'survey'
  | 'consent-given'
  | 'consent-withdrawn'
  | 'survey-incomplete'
  | 'consent-missing'
  | 'throttled'
  | 'form-expired'
  | 'uploaded'
  | 'upload-missing';

const FLASH: Record<ParticipantFlash, { ok: boolean; it: string; en: string }> = {
  attendance: { ok: true, it: 'Presenza confermata. Grazie!', en: 'Attendance confirmed. Thank you!' },
  acknowledged: { ok: true, it: 'Presa visione registrata.', en: 'Acknowledgement recorded.' },
  survey: {
    ok: true,
    it: 'Risposte registrate in forma anonima. Grazie!',
    en: 'Answers recorded anonymously. Thank you!',
  },
  'consent-given': { ok: true, it: 'Consenso e dati registrati.', en: 'Consent and data recorded.' },
  'consent-withdrawn': {
    ok: true,
    it: 'Consenso revocato: i dati facoltativi sono stati cancellati.',
    en: 'Consent withdrawn: the optional data has been deleted.',
  },
  'survey-incomplete': {
    ok: false,
    it: 'Rispondi a tutte le domande: nulla è stato registrato.',
    en: 'Please answer every question: nothing was recorded.',
  },
  'consent-missing': {
    ok: false,
    it: 'Per registrare i dati facoltativi serve il tuo consenso (la casella in fondo): nulla è stato registrato.',
    en: 'Your consent (the box at the bottom) is needed to record optional data: nothing was recorded.',
  },
  throttled: {
    ok: false,
    it: 'Troppe richieste in poco tempo: nulla è stato registrato. Riprova tra qualche minuto.',
    en: 'Too many requests in a short time: nothing was recorded. Please try again in a few minutes.',
  },
  'form-expired': {
    ok: false,
    it: 'Il modulo non è stato aperto da questa pagina: ricaricala e riprova.',
    en: 'The form was not opened from this page: reload it and try again.',
  },
  uploaded: {
    ok: true,
    it: 'Documento caricato: il consulente lo trova tra i documenti del percorso.',
    en: 'Document uploaded: the consultant finds it among the pathway’s documents.',
  },
  'upload-missing': {
    ok: false,
    it: 'Scegli un file da caricare: nulla è stato registrato.',
    en: 'Choose a file to upload: nothing was recorded.',
  },
};

export const PARTICIPANT_FLASHES = Object.keys(FLASH) as ParticipantFlash[];

function FlashBox({ flash, t }: { flash: ParticipantFlash | null; t: Tx }) {
  if (!flash) return null;
  const f = FLASH[flash];
  return (
    <p class={`flash ${f.ok ? 'ok' : 'err'}`} role={f.ok ? 'status' : 'alert'}>
      {t(f.it, f.en)}
    </p>
  );
}

const noindex = <meta name="robots" content="noindex, nofollow" />;

export interface ParticipantStep {
  key: string;
  name: string;
  status: 'done' | 'active' | 'pending';
  due: string | null;
}

export interface SessionItem {
  id: string;
  when: string;
  minutes: number;
  place: string | null;
  confirmed: boolean;
}

export interface SurveyView {
  title: string;
  intro: string;
  questions: {
    id: string;
    label: string;
    type: 'single' | 'multiple';
    options: { field: string; value: string; label: string }[];
  }[];
}

export interface ParticipantPageProps {
  locale: Locale;
  here: string;
  token: string;
  csrf: { attendance: string; acknowledge: string; survey: string; upload: string };
  flash: ParticipantFlash | null;
  /** The document the current step asks this person to upload, and what they already uploaded. */
  upload: { label: string; uploaded: { filename: string; when: string }[] } | null;
  /** Why the last upload was refused (nothing stored). */
  uploadError: string | null;
  name: string;
  role: string;
  companyName: string;
  pathwayName: string;
  programmeName: string;
  closed: boolean;
  steps: ParticipantStep[];
  current: { name: string; due: string | null } | null;
  consultant: { name: string; email: string };
  /** What the current step asks of this person (empty: nothing for now). */
  sessions: SessionItem[];
  acknowledgement: { kind: 'acknowledged' | 'signed'; done: boolean } | null;
  survey: (SurveyView & { answered: boolean }) | null;
  hasCalendar: boolean;
}

export const roleLabel = (role: string, t: Tx) =>
  role === 'owner'
    ? t('titolare', 'owner')
    : role === 'hr'
      ? t('referente del personale', 'HR contact')
      : t('dipendente', 'employee');

export function ParticipantPage(p: ParticipantPageProps) {
  const t = tx(p.locale);
  const base = `/p/${p.token}`;
  const asked = p.sessions.length > 0 || p.acknowledgement !== null || p.survey !== null || p.upload !== null;
  const statusLabel = (s: ParticipantStep['status']) =>
    s === 'done' ? t('completata', 'done') : s === 'active' ? t('in corso', 'in progress') : t('da fare', 'to come');
  return (
    <Layout locale={p.locale} title={`${p.pathwayName} · ${p.companyName}`} here={p.here} head={noindex}>
      <h1>{p.pathwayName}</h1>
      <p>
        {t(
          `Ciao ${p.name}: questa è la tua pagina personale nel percorso di ${p.companyName} (${roleLabel(p.role, t)}). Il link è solo tuo: non inoltrarlo.`,
          `Hello ${p.name}: this is your personal page in the pathway of ${p.companyName} (${roleLabel(p.role, t)}). The link is yours alone: do not forward it.`,
        )}
      </p>
      <FlashBox flash={p.flash} t={t} />
      {p.closed ? (
        <p role="status">
          {t(
            'Il percorso è chiuso: la pagina resta consultabile per 30 giorni, senza azioni.',
            'The pathway is closed: this page stays readable for 30 days, with no actions.',
          )}
        </p>
      ) : null}

      <section aria-labelledby="now">
        <h2 id="now">{t('Che cosa ti chiediamo ora', 'What is asked of you now')}</h2>
        {p.current ? (
          <p>
            {t('Attività in corso', 'Current step')}: <strong>{p.current.name}</strong>
            {p.current.due ? ` — ${t('scadenza', 'due')} ${p.current.due}` : ''}
          </p>
        ) : null}
        {!asked || p.closed ? (
          <p>
            {t(
              'Per ora nulla: in questa attività lavora il consulente. Riceverai un’email quando servirà il tuo contributo.',
              'Nothing for now: the consultant works on this step. You will get an email when your part is needed.',
            )}
          </p>
        ) : null}
        {!p.closed && p.sessions.length > 0 ? (
          <div class="card">
            <h3>{t('Incontri di formazione', 'Training sessions')}</h3>
            <ul>
              {p.sessions.map((s) => (
                <li key={s.id}>
                  {s.when} ({s.minutes} {t('minuti', 'minutes')}
                  {s.place ? `, ${s.place}` : ''}){' '}
                  {s.confirmed ? (
                    <strong>{t('presenza confermata', 'attendance confirmed')}</strong>
                  ) : (
                    <form method="post" action={`${base}/attendance`} class="inline">
                      <input type="hidden" name="csrf" value={p.csrf.attendance} />
                      <input type="hidden" name="sessionId" value={s.id} />
                      <button type="submit">{t('Conferma la presenza', 'Confirm attendance')}</button>
                    </form>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {!p.closed && p.upload ? (
          <div class="card">
            <h3>{t('Documento da caricare', 'Document to upload')}</h3>
            <p>
              {t(
                `Questa attività chiede: «${p.upload.label}». Puoi caricarlo qui (PDF, PDF firmato, P7M, immagine, ODT, DOCX o XLSX; al massimo 20 MB).`,
                `This step asks for: “${p.upload.label}”. You can upload it here (PDF, signed PDF, P7M, image, ODT, DOCX or XLSX; at most 20 MB).`,
              )}
            </p>
            {p.upload.uploaded.length > 0 ? (
              <ul>
                {p.upload.uploaded.map((d) => (
                  <li>
                    {d.filename} ({t('caricato il', 'uploaded on')} {d.when})
                  </li>
                ))}
              </ul>
            ) : null}
            {p.uploadError ? (
              <p class="flash err" role="alert" id="upload-error">
                {p.uploadError}
              </p>
            ) : null}
            <form
              method="post"
              action={`${base}/documenti?csrf=${encodeURIComponent(p.csrf.upload)}`}
              enctype="multipart/form-data"
            >
              <p>
                <label for="upload-file">{t('File', 'File')}</label>
                <input
                  id="upload-file"
                  name="file"
                  type="file"
                  required
                  aria-describedby={p.uploadError ? 'upload-error' : undefined}
                />
              </p>
              <button type="submit">{t('Carica il documento', 'Upload the document')}</button>
            </form>
          </div>
        ) : null}
        {!p.closed && p.acknowledgement ? (
          <div class="card">
            <h3>
              {p.acknowledgement.kind === 'signed'
                ? t('Firma del documento', 'Signing the document')
                : t('Presa visione', 'Acknowledgement')}
            </h3>
            {p.acknowledgement.done ? (
              <p>
                <strong>{t('Registrato. Grazie.', 'Recorded. Thank you.')}</strong>
              </p>
            ) : (
              <form method="post" action={`${base}/acknowledge`}>
                <input type="hidden" name="csrf" value={p.csrf.acknowledge} />
                <p>
                  {t(
                    `Come titolare confermi di aver letto il documento dell'attività «${p.current?.name ?? ''}» preparato con ${p.consultant.name} e di approvarlo.`,
                    `As the owner you confirm that you have read the document of the step “${p.current?.name ?? ''}” prepared with ${p.consultant.name} and that you approve it.`,
                  )}
                </p>
                <button type="submit">
                  {p.acknowledgement.kind === 'signed'
                    ? t('Firmo e approvo', 'I sign and approve')
                    : t('Confermo', 'I confirm')}
                </button>
              </form>
            )}
          </div>
        ) : null}
        {!p.closed && p.survey ? (
          <div class="card">
            <h3>{p.survey.title}</h3>
            {p.survey.answered ? (
              <p>
                <strong>{t('Hai già risposto. Grazie!', 'You have already answered. Thank you!')}</strong>
              </p>
            ) : (
              <form method="post" action={`${base}/survey`}>
                <input type="hidden" name="csrf" value={p.csrf.survey} />
                <p>{p.survey.intro}</p>
                {p.survey.questions.map((q) => (
                  <fieldset key={q.id}>
                    <legend>{q.label}</legend>
                    {q.options.map((o) => (
                      <label key={o.field + o.value} class="choice">
                        <input type={q.type === 'single' ? 'radio' : 'checkbox'} name={o.field} value={o.value} />{' '}
                        {o.label}
                      </label>
                    ))}
                  </fieldset>
                ))}
                <p class="muted">
                  {t(
                    'Titolare del trattamento: Regione Lombardia. Le risposte servono solo a capire i bisogni del personale e sono registrate senza il tuo nome né l’ora, con la sola data; i totali si vedono da tre risposte in su.',
                    'Controller: Regione Lombardia. Answers serve only to understand the staff’s needs and are stored without your name or the time, with the day only; totals are shown from three answers up.',
                  )}
                </p>
                <button type="submit">{t('Invia le risposte', 'Send the answers')}</button>
              </form>
            )}
          </div>
        ) : null}
      </section>

      <section aria-labelledby="steps">
        <h2 id="steps">{t('Il percorso in breve', 'The pathway at a glance')}</h2>
        <ol>
          {p.steps.map((s) => (
            <li key={s.key}>
              {s.status === 'active' ? <strong>{s.name}</strong> : s.name} — {statusLabel(s.status)}
              {s.due && s.status === 'active' ? `, ${t('scadenza', 'due')} ${s.due}` : ''}
            </li>
          ))}
        </ol>
        {p.hasCalendar ? (
          <p>
            <a href={`${base}/scadenza.ics`}>
              {t('Aggiungi la scadenza al calendario (.ics)', 'Add the deadline to your calendar (.ics)')}
            </a>
          </p>
        ) : null}
      </section>

      <section aria-labelledby="contact">
        <h2 id="contact">{t('Il tuo consulente', 'Your consultant')}</h2>
        <p>
          {p.consultant.name}: <a href={`mailto:${p.consultant.email}`}>{p.consultant.email}</a>
        </p>
      </section>
      <p>
        <a href={`${base}/dati`}>
          {t('I tuoi dati: che cosa conserviamo su di te', 'Your data: what we hold about you')}
        </a>
      </p>
    </Layout>
  );
}

export interface ParticipantDataProps {
  locale: Locale;
  here: string;
  token: string;
  csrf: string;
  flash: ParticipantFlash | null;
  person: { name: string; email: string; role: string; locale: string };
  optional: { gender: string | null; care: string[]; consentAt: string | null };
  attendance: { when: string; step: string; confirmedAt: string | null }[];
  messages: { when: string; subject: string; status: string }[];
  retentionDays: number;
}

export const GENDERS = ['female', 'male', 'other'] as const;
export const CARE = ['children', 'elderly', 'disability'] as const;

export function ParticipantDataPage(p: ParticipantDataProps) {
  const t = tx(p.locale);
  const base = `/p/${p.token}`;
  const genderLabel = (g: string) =>
    g === 'female'
      ? t('donna', 'woman')
      : g === 'male'
        ? t('uomo', 'man')
        : t('altro / preferisco descrivermi', 'other');
  const careLabel = (c: string) =>
    c === 'children'
      ? t('figli minori', 'children under 18')
      : c === 'elderly'
        ? t('familiari anziani', 'elderly relatives')
        : t('familiari con disabilità', 'relatives with a disability');
  return (
    <Layout locale={p.locale} title={t('I tuoi dati', 'Your data')} here={p.here} head={noindex}>
      <h1>{t('I tuoi dati', 'Your data')}</h1>
      <FlashBox flash={p.flash} t={t} />
      <p>
        <a href={base}>{t('Torna alla tua pagina', 'Back to your page')}</a>
      </p>
      <h2>{t('Che cosa conserviamo', 'What we hold')}</h2>
      <dl class="meta">
        <dt>{t('Nome', 'Name')}</dt>
        <dd>{p.person.name}</dd>
        <dt>Email</dt>
        <dd>{p.person.email}</dd>
        <dt>{t('Ruolo', 'Role')}</dt>
        <dd>{roleLabel(p.person.role, t)}</dd>
        <dt>{t('Lingua', 'Language')}</dt>
        <dd>{p.person.locale === 'en' ? 'English' : 'Italiano'}</dd>
        <dt>{t('Genere (facoltativo)', 'Gender (optional)')}</dt>
        <dd>{p.optional.gender ? genderLabel(p.optional.gender) : t('non indicato', 'not given')}</dd>
        <dt>{t('Responsabilità di cura (facoltativo)', 'Care responsibilities (optional)')}</dt>
        <dd>{p.optional.care.length ? p.optional.care.map(careLabel).join(', ') : t('non indicate', 'not given')}</dd>
        <dt>{t('Consenso ai dati facoltativi', 'Consent to optional data')}</dt>
        <dd>
          {p.optional.consentAt
            ? t(`dato il ${p.optional.consentAt}`, `given on ${p.optional.consentAt}`)
            : t('non dato', 'not given')}
        </dd>
      </dl>
      <h2>{t('Presenze', 'Attendance')}</h2>
      {p.attendance.length === 0 ? (
        <p>{t('Nessuna.', 'None.')}</p>
      ) : (
        <ul>
          {p.attendance.map((a, i) => (
            <li key={i}>
              {a.step}, {a.when}:{' '}
              {a.confirmedAt
                ? t(`confermata il ${a.confirmedAt}`, `confirmed on ${a.confirmedAt}`)
                : t('non confermata', 'not confirmed')}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('Email che ti abbiamo inviato', 'Emails sent to you')}</h2>
      {p.messages.length === 0 ? (
        <p>{t('Nessuna.', 'None.')}</p>
      ) : (
        <ul>
          {p.messages.map((m, i) => (
            <li key={i}>
              {m.when}: {m.subject} ({m.status})
            </li>
          ))}
        </ul>
      )}
      <p class="muted">
        {t(
          'Le risposte ai questionari sono anonime e non compaiono qui: non sappiamo quali sono le tue.',
          'Questionnaire answers are anonymous and do not appear here: we do not know which are yours.',
        )}
      </p>

      <h2>{t('Dati facoltativi e consenso', 'Optional data and consent')}</h2>
      <form method="post" action={`${base}/dati`}>
        <input type="hidden" name="csrf" value={p.csrf} />
        <fieldset>
          <legend>{t('Genere', 'Gender')}</legend>
          {GENDERS.map((g) => (
            <label key={g} class="choice">
              <input type="radio" name="gender" value={g} checked={p.optional.gender === g} /> {genderLabel(g)}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('Responsabilità di cura', 'Care responsibilities')}</legend>
          {CARE.map((c) => (
            <label key={c} class="choice">
              <input type="checkbox" name={`care__${c}`} value="on" checked={p.optional.care.includes(c)} />{' '}
              {careLabel(c)}
            </label>
          ))}
        </fieldset>
        <label class="choice">
          <input type="checkbox" name="consent" value="on" checked={p.optional.consentAt !== null} />{' '}
          {t(
            'Acconsento al trattamento di questi dati facoltativi per le statistiche del programma.',
            'I consent to these optional data being processed for the programme’s statistics.',
          )}
        </label>
        <p>
          <button type="submit" name="action" value="give">
            {t('Salva con il mio consenso', 'Save with my consent')}
          </button>{' '}
          {p.optional.consentAt ? (
            <button type="submit" name="action" value="withdraw">
              {t('Revoca il consenso e cancella', 'Withdraw consent and delete')}
            </button>
          ) : null}
        </p>
      </form>
      <h2>{t('Informativa privacy (art. 13 GDPR)', 'Privacy notice (GDPR art. 13)')}</h2>
      <p>
        {t(
          `Titolare: Regione Lombardia, con le ATS della rete di conciliazione. Finalità: accompagnare l'impresa nel percorso (email, presenze, questionari) e produrre statistiche del programma. Base giuridica: compito di interesse pubblico (art. 6.1.e); i dati facoltativi solo con il tuo consenso (art. 6.1.a e 9.2.a), revocabile qui in ogni momento. Conservazione: fino a ${p.retentionDays} giorni dopo la fine dell'edizione, poi nome, email e dati facoltativi sono sostituiti da segnaposto e restano solo i conteggi. Diritti: accesso, rettifica, cancellazione, limitazione, opposizione e reclamo al Garante; scrivi al tuo consulente o alla Regione.`,
          `Controller: Regione Lombardia, with the ATS of the work-life balance network. Purposes: supporting the firm through the pathway (emails, attendance, questionnaires) and the programme's statistics. Legal basis: a task in the public interest (art. 6.1.e); optional data only with your consent (art. 6.1.a and 9.2.a), which you can withdraw here at any time. Retention: until ${p.retentionDays} days after the edition ends, then name, email and optional data are replaced by placeholders and only counts remain. Rights: access, rectification, erasure, restriction, objection and complaint to the Garante; write to your consultant or the Region.`,
        )}
      </p>
    </Layout>
  );
}

export interface LinkRefusedProps {
  locale: Locale;
  reason: 'invalid' | 'revoked' | 'removed' | 'expired';
}

export function LinkRefusedPage(p: LinkRefusedProps) {
  const t = tx(p.locale);
  const text = {
    invalid: t(
      'Questo link non è valido. Usa il link dell’email più recente che hai ricevuto.',
      'This link is not valid. Please use the link in the most recent email you received.',
    ),
    revoked: t(
      'Questo link è stato revocato dal consulente. Usa il link dell’email più recente, o chiedi al tuo consulente di inviarne uno nuovo.',
      'This link has been revoked by the consultant. Please use the link in the most recent email, or ask your consultant to send a new one.',
    ),
    removed: t(
      'Non partecipi più a questo percorso, quindi il link non è più attivo. Se è un errore, scrivi al consulente dell’impresa.',
      'You no longer take part in this pathway, so the link is no longer active. If this is a mistake, write to the firm’s consultant.',
    ),
    expired: t(
      'Questo link è scaduto: il percorso è terminato. Per informazioni scrivi al consulente dell’impresa.',
      'This link has expired: the pathway has ended. For information, write to the firm’s consultant.',
    ),
  }[p.reason];
  return (
    <Layout locale={p.locale} title={t('Link non utilizzabile', 'Link cannot be used')} head={noindex}>
      <h1>{t('Link non utilizzabile', 'Link cannot be used')}</h1>
      <p role="alert">{text}</p>
    </Layout>
  );
}
