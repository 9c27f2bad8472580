/**
 * The front door's pages: the public home, an edition's pathways, the eligibility self-check, the
 * enrollment request and its confirmation, the password pages reached from emails, and the
 * coordinators' request pages. No inline style or script (CSP); texts in texts-front.ts.
 */
import type { ComponentChildren } from 'preact';
import { FlashText } from './flash';
import { Layout, type NavUser } from './layout';
import { FT } from './texts-front';
import type { Locale } from './texts';

type Text = { it: string; en: string };

interface Base {
  locale: Locale;
  here: string;
  user?: NavUser | null;
}

export interface EditionSummary {
  code: string;
  name: string;
  demo: boolean;
  enrollmentClosesOn: string;
  pathways: number;
}

export function HomePage(p: Base & { editions: EditionSummary[] }) {
  const t = FT[p.locale];
  return (
    <Layout locale={p.locale} title={`${t.homeTitle} · conciliaflow`} here={p.here} user={p.user ?? null}>
      <h1>{t.homeTitle}</h1>
      <p>{t.homeLead}</p>
      <p>{t.homeWho}</p>
      <h2>{t.homeHow}</h2>
      <ol>
        {t.homeSteps.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      <h2>{t.editions}</h2>
      {p.editions.length === 0 ? (
        <p>{t.noEditions}</p>
      ) : (
        <ul class="editions">
          {p.editions.map((e) => (
            <li key={e.code} class="card">
              <a href={`/edizioni/${encodeURIComponent(e.code)}`}>{e.name}</a>
              {e.demo ? <p class="badge">{t.demo}</p> : null}
              <p class="muted">
                {t.enrollUntil(e.enrollmentClosesOn)} · {t.pathways(e.pathways)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/verifica">{t.checkLink}</a>
      </p>
      <p>
        {t.staffSignIn} <a href="/login">{t.signIn}</a>
      </p>
    </Layout>
  );
}

export interface PathwayInfo {
  kind: string;
  name: Text;
  description: Text;
  steps: { name: Text; by: string[]; days: number }[];
  totalDays: number;
  rules: string[];
}

export function EditionPage(p: Base & { edition: EditionSummary & { networks: string[] }; pathways: PathwayInfo[] }) {
  const t = FT[p.locale];
  const l = p.locale;
  const e = p.edition;
  const q = (kind: string) => `edizione=${encodeURIComponent(e.code)}&percorso=${encodeURIComponent(kind)}`;
  return (
    <Layout locale={l} title={`${e.name} · conciliaflow`} here={p.here} user={p.user ?? null}>
      <p>
        <a href="/">{t.back}</a>
      </p>
      <h1>{e.name}</h1>
      {e.demo ? <p class="badge">{t.demo}</p> : null}
      <p>{t.enrollUntil(e.enrollmentClosesOn)}</p>
      <p>{t.territoryRule(e.networks.join(', '))}</p>
      <h2>{t.editionPathways}</h2>
      {p.pathways.map((w) => (
        <section key={w.kind} class="card pathway" aria-labelledby={`pw-${w.kind}`}>
          <h3 id={`pw-${w.kind}`}>{w.name[l]}</h3>
          <h4>{t.whatFirmGets}</h4>
          <p>{w.description[l]}</p>
          <h4>{t.steps}</h4>
          <ol>
            {w.steps.map((s) => (
              <li key={s.name.it}>
                {s.name[l]} — {t.whoDoesWhat.toLowerCase()}: {s.by.map((r) => t.roles[r] ?? r).join(', ')};{' '}
                {t.workingDays(s.days)}
              </li>
            ))}
          </ol>
          <p>
            <strong>{t.howLong}:</strong> {t.totalDays(w.totalDays)}
          </p>
          <h4>{t.whoMay}</h4>
          <ul>
            {w.rules.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          <p class="actions">
            <a class="button" href={`/verifica?${q(w.kind)}`}>
              {t.checkLink}
            </a>{' '}
            <a class="button" href={`/richiesta?${q(w.kind)}`}>
              {t.requestLink}
            </a>
          </p>
        </section>
      ))}
    </Layout>
  );
}

/** A labelled field; `values` keeps what was typed when the form comes back. */
function Field(p: {
  id: string;
  label: string;
  values: Record<string, string>;
  type?: string;
  required?: boolean;
  inputmode?: 'decimal' | 'numeric' | 'email';
  autocomplete?: string;
}) {
  return (
    <p>
      <label for={p.id}>{p.label}</label>
      <br />
      <input
        id={p.id}
        name={p.id}
        type={p.type ?? 'text'}
        value={p.values[p.id] ?? ''}
        {...(p.required ? { required: true } : {})}
        {...(p.inputmode ? { inputmode: p.inputmode } : {})}
        {...(p.autocomplete ? { autocomplete: p.autocomplete } : {})}
      />
    </p>
  );
}

function Select(p: {
  id: string;
  label: string;
  values: Record<string, string>;
  options: { value: string; label: string }[];
}) {
  return (
    <p>
      <label for={p.id}>{p.label}</label>
      <br />
      <select id={p.id} name={p.id}>
        {p.options.map((o) => (
          <option key={o.value} value={o.value} selected={p.values[p.id] === o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </p>
  );
}

export interface Choice {
  value: string;
  label: string;
}

/** The firm's facts, shared by the self-check and the request. */
function FirmFields(p: { locale: Locale; values: Record<string, string> }) {
  const t = FT[p.locale];
  const v = p.values;
  const yesNo = [
    { value: '', label: t.notSaid },
    { value: 'yes', label: t.yes },
    { value: 'no', label: t.no },
  ];
  return (
    <>
      <Select
        id="registrata"
        label={t.registered}
        values={v}
        options={[
          { value: 'yes', label: t.yes },
          { value: 'no', label: t.no },
        ]}
      />
      <Field id="provincia" label={t.province} values={v} required />
      <Field id="comune" label={t.city} values={v} required />
      <Select
        id="settore"
        label={t.sector}
        values={v}
        options={Object.entries(t.sectorNames).map(([value, label]) => ({ value, label }))}
      />
      <Field id="ateco" label={t.ateco} values={v} />
      <Select id="artigiana" label={t.craft} values={v} options={yesNo} />
      <Select id="cura" label={t.care} values={v} options={yesNo} />
      <fieldset>
        <legend>{t.size}</legend>
        <Field id="ula" label={t.staff} values={v} inputmode="decimal" required />
        <Field id="occupati" label={t.peopleEmployed} values={v} inputmode="numeric" />
        <Field id="fatturato" label={t.turnover} values={v} inputmode="decimal" />
        <Field id="bilancio" label={t.balanceSheet} values={v} inputmode="decimal" />
      </fieldset>
    </>
  );
}

export interface RuleLine {
  met: boolean;
  text: Text;
}

export function CheckPage(
  p: Base & {
    editions: Choice[];
    kinds: Choice[];
    values: Record<string, string>;
    csrf?: string;
    error?: string;
    answer?: { eligible: boolean; rules: RuleLine[]; requestHref: string };
  },
) {
  const t = FT[p.locale];
  const a = p.answer;
  return (
    <Layout locale={p.locale} title={`${t.checkTitle} · conciliaflow`} here={p.here} user={p.user ?? null}>
      <p>
        <a href="/">{t.back}</a>
      </p>
      <h1>{t.checkTitle}</h1>
      <p>{t.checkLead}</p>
      {p.error ? <FlashText kind="err" text={p.error} /> : null}
      {a ? (
        <section class="card" aria-labelledby="esito">
          <h2 id="esito">{a.eligible ? t.eligible : t.notEligible}</h2>
          <ul class="rules" aria-label={t.rulesCaption}>
            {a.rules.map((r) => (
              <li key={r.text.it} class={r.met ? 'met' : 'failed'}>
                <strong>{r.met ? t.met : t.failed}:</strong> {r.text[p.locale]}
              </li>
            ))}
          </ul>
          {a.eligible ? (
            <p>
              <a class="button" href={a.requestHref}>
                {t.nowRequest}
              </a>
            </p>
          ) : null}
        </section>
      ) : null}
      <form method="post" action="/verifica" class="card">
        {p.csrf ? <input type="hidden" name="csrf" value={p.csrf} /> : null}
        <Select id="edizione" label={t.edition} values={p.values} options={p.editions} />
        <Select id="percorso" label={t.pathway} values={p.values} options={p.kinds} />
        <FirmFields locale={p.locale} values={p.values} />
        <p>
          <button type="submit">{t.check}</button>
        </p>
      </form>
    </Layout>
  );
}

export function PrivacyNotice({ locale }: { locale: Locale }) {
  const t = FT[locale];
  return (
    <section class="privacy" aria-labelledby="privacy-title">
      <h2 id="privacy-title">{t.privacyTitle}</h2>
      {t.privacy.map((s) => (
        <p key={s}>{s}</p>
      ))}
    </section>
  );
}

export function RequestFormPage(
  p: Base & {
    editions: Choice[];
    kinds: Choice[];
    values: Record<string, string>;
    action: string;
    csrf?: string;
    error?: string;
    problems?: string[];
  },
) {
  const t = FT[p.locale];
  const v = p.values;
  const roles = Object.entries(t.roleNames)
    .filter(([k]) => k !== 'owner')
    .map(([value, label]) => ({ value, label }));
  return (
    <Layout locale={p.locale} title={`${t.requestTitle} · conciliaflow`} here={p.here} user={p.user ?? null}>
      <p>
        <a href="/">{t.back}</a>
      </p>
      <h1>{t.requestTitle}</h1>
      <p>{t.requestLead}</p>
      {p.error ? <FlashText kind="err" text={p.error} /> : null}
      {p.problems?.length ? (
        <ul class="problems">
          {p.problems.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      ) : null}
      <form method="post" action={p.action} class="card">
        {p.csrf ? <input type="hidden" name="csrf" value={p.csrf} /> : null}
        <Select id="edizione" label={t.edition} values={v} options={p.editions} />
        <Select id="percorso" label={t.pathway} values={v} options={p.kinds} />
        <fieldset>
          <legend>{t.firm}</legend>
          <Field id="ragione" label={t.companyName} values={v} required autocomplete="organization" />
          <Field id="piva" label={t.vat} values={v} inputmode="numeric" />
          <Field id="cf" label={t.taxCode} values={v} />
          <FirmFields locale={p.locale} values={v} />
        </fieldset>
        <fieldset>
          <legend>{t.declarant}</legend>
          <Field id="nome" label={t.declarantName} values={v} required autocomplete="name" />
          <Field id="email" label={t.declarantEmail} values={v} type="email" required autocomplete="email" />
          <Select
            id="lingua"
            label={t.language}
            values={v}
            options={[
              { value: 'it', label: 'Italiano' },
              { value: 'en', label: 'English' },
            ]}
          />
        </fieldset>
        <fieldset>
          <legend>{t.people}</legend>
          {[1, 2, 3].map((n) => (
            <div key={n} class="person">
              <Field id={`p${n}nome`} label={t.personName(n)} values={v} />
              <Field id={`p${n}email`} label={t.personEmail(n)} values={v} type="email" />
              <Select id={`p${n}ruolo`} label={t.personRole(n)} values={v} options={roles} />
            </div>
          ))}
        </fieldset>
        <div class="hp" aria-hidden="true">
          <label for="sito">{t.honeypot}</label>
          <input id="sito" name="sito" type="text" tabindex={-1} autocomplete="off" value="" />
        </div>
        <PrivacyNotice locale={p.locale} />
        <p>
          <input id="privacy" name="privacy" type="checkbox" value="yes" required checked={v.privacy === 'yes'} />{' '}
          <label for="privacy">{t.privacyAck}</label>
        </p>
        <p>
          <button type="submit">{t.send}</button>
        </p>
      </form>
    </Layout>
  );
}

/** A page that says one thing and what to do next: sent, confirmed, an unusable link, throttled. */
export function NoticePage(
  p: Base & {
    title: string;
    text: string;
    next?: string;
    link?: { href: string; label: string };
    children?: ComponentChildren;
  },
) {
  return (
    <Layout locale={p.locale} title={`${p.title} · conciliaflow`} here={p.here} user={p.user ?? null}>
      <h1>{p.title}</h1>
      <p>{p.text}</p>
      {p.next ? <p>{p.next}</p> : null}
      {p.children}
      {p.link ? (
        <p>
          <a href={p.link.href}>{p.link.label}</a>
        </p>
      ) : null}
    </Layout>
  );
}

export function ConfirmRequestPage(
  p: Base & { companyName: string; pathwayName: string; token: string; csrf?: string },
) {
  const t = FT[p.locale];
  return (
    <Layout locale={p.locale} title={`${t.confirmTitle} · conciliaflow`} here={p.here} user={p.user ?? null}>
      <h1>{t.confirmTitle}</h1>
      <p>{t.confirmLead(p.companyName, p.pathwayName)}</p>
      <form method="post" action={`/richiesta/conferma/${encodeURIComponent(p.token)}`} class="card narrow">
        {p.csrf ? <input type="hidden" name="csrf" value={p.csrf} /> : null}
        <p>
          <button type="submit">{t.confirm}</button>
        </p>
      </form>
    </Layout>
  );
}

export function SetPasswordPage(
  p: Base & {
    mode: 'invite' | 'reset';
    name: string;
    email: string;
    action: string;
    minLength: number;
    csrf?: string;
    error?: string;
  },
) {
  const t = FT[p.locale];
  const title = p.mode === 'invite' ? t.inviteTitle : t.resetTitle;
  return (
    <Layout locale={p.locale} title={`${title} · conciliaflow`} here={p.here} user={p.user ?? null}>
      <h1>{title}</h1>
      <p>{p.mode === 'invite' ? t.inviteLead(p.name, p.email) : t.resetLead(p.email)}</p>
      {p.error ? <FlashText kind="err" text={p.error} /> : null}
      <form method="post" action={p.action} class="card narrow">
        {p.csrf ? <input type="hidden" name="csrf" value={p.csrf} /> : null}
        <input type="hidden" name="username" value={p.email} autocomplete="username" />
        <p>
          <label for="password">{t.newPassword}</label>
          <br />
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            minlength={p.minLength}
            required
          />
        </p>
        <p>
          <label for="confirm">{t.repeatPassword}</label>
          <br />
          <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
        </p>
        <p>
          <button type="submit">{t.savePassword}</button>
        </p>
      </form>
    </Layout>
  );
}

export function ForgotPasswordPage(p: Base & { sent?: boolean; error?: string; csrf?: string }) {
  const t = FT[p.locale];
  return (
    <Layout locale={p.locale} title={`${t.forgotTitle} · conciliaflow`} here={p.here} user={p.user ?? null}>
      <h1>{t.forgotTitle}</h1>
      {p.sent ? <FlashText kind="ok" text={t.forgotSent} /> : <p>{t.forgotLead}</p>}
      {p.error ? <FlashText kind="err" text={p.error} /> : null}
      <form method="post" action="/password/dimenticata" class="card narrow">
        {p.csrf ? <input type="hidden" name="csrf" value={p.csrf} /> : null}
        <p>
          <label for="email">Email</label>
          <br />
          <input id="email" name="email" type="email" autocomplete="email" required />
        </p>
        <div class="hp" aria-hidden="true">
          <label for="sito">{t.honeypot}</label>
          <input id="sito" name="sito" type="text" tabindex={-1} autocomplete="off" value="" />
        </div>
        <p>
          <button type="submit">{t.forgotSend}</button>
        </p>
      </form>
      <p>
        <a href="/login">{t.signIn}</a>
      </p>
    </Layout>
  );
}

export interface RequestRowView {
  id: string;
  status: string;
  companyName: string;
  pathwayName: Text;
  networkName: string;
  confirmedAt: string;
}

export function RequestsPage(p: Base & { user: NavUser; items: RequestRowView[]; canCreate: boolean }) {
  const t = FT[p.locale];
  return (
    <Layout locale={p.locale} title={`${t.requestsTitle} · conciliaflow`} here={p.here} user={p.user}>
      <h1>{t.requestsTitle}</h1>
      {p.canCreate ? (
        <p>
          <a href="/app/requests/new">{t.newRequest}</a>
        </p>
      ) : null}
      {p.items.length === 0 ? (
        <p>{t.requestsNone}</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.company}</th>
                <th scope="col">{t.pathway}</th>
                <th scope="col">{t.network}</th>
                <th scope="col">{t.received}</th>
                <th scope="col">{t.status}</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`/app/requests/${encodeURIComponent(r.id)}`}>{r.companyName}</a>
                  </td>
                  <td>{r.pathwayName[p.locale]}</td>
                  <td>{r.networkName}</td>
                  <td>{r.confirmedAt}</td>
                  <td>{t.statusNames[r.status] ?? r.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export function RequestDetailPage(
  p: Base & {
    user: NavUser;
    request: RequestRowView & {
      vatNumber: string;
      declarantName: string;
      declarantEmail: string;
      figures: { label: string; value: string }[];
      declineReason: string | null;
      consultantEmail: string | null;
      enrollmentId: string | null;
    };
    consultants: Choice[];
    canDecide: boolean;
    error?: string;
    ok?: string;
  },
) {
  const t = FT[p.locale];
  const r = p.request;
  const csrf = p.user.csrf;
  return (
    <Layout
      locale={p.locale}
      title={`${r.companyName} · ${t.requestsTitle} · conciliaflow`}
      here={p.here}
      user={p.user}
    >
      <p>
        <a href="/app/requests">{t.requestsTitle}</a>
      </p>
      <h1>{r.companyName}</h1>
      {p.ok ? <FlashText kind="ok" text={p.ok} /> : null}
      {p.error ? <FlashText kind="err" text={p.error} /> : null}
      <dl class="meta">
        <dt>{t.status}</dt>
        <dd>{t.statusNames[r.status] ?? r.status}</dd>
        <dt>{t.pathway}</dt>
        <dd>{r.pathwayName[p.locale]}</dd>
        <dt>{t.network}</dt>
        <dd>{r.networkName}</dd>
        <dt>{t.declarantName}</dt>
        <dd>
          {r.declarantName} ({r.declarantEmail})
        </dd>
        <dt>{t.received}</dt>
        <dd>{r.confirmedAt}</dd>
        {r.figures.map((f) => (
          <>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </>
        ))}
        {r.declineReason ? (
          <>
            <dt>{t.reason}</dt>
            <dd>{r.declineReason}</dd>
          </>
        ) : null}
        {r.consultantEmail ? (
          <>
            <dt>{t.consultant}</dt>
            <dd>{r.consultantEmail}</dd>
          </>
        ) : null}
      </dl>
      {r.enrollmentId ? (
        <p>
          <a href={`/app/enrollments/${encodeURIComponent(r.enrollmentId)}`}>{t.openPathway}</a>
        </p>
      ) : null}
      {p.canDecide ? (
        <div class="decide">
          <form method="post" action={`/app/requests/${encodeURIComponent(r.id)}/accept`} class="card">
            <input type="hidden" name="csrf" value={csrf} />
            {p.consultants.length === 0 ? (
              <p>{t.noConsultants}</p>
            ) : (
              <>
                <Select id="consultant" label={t.consultant} values={{}} options={p.consultants} />
                <p>
                  <button type="submit">{t.accept}</button>
                </p>
              </>
            )}
          </form>
          <form method="post" action={`/app/requests/${encodeURIComponent(r.id)}/decline`} class="card">
            <input type="hidden" name="csrf" value={csrf} />
            <p>
              <label for="reason">{t.reason}</label>
              <br />
              <textarea id="reason" name="reason" rows={3} minlength={5} maxlength={1000} required />
            </p>
            <p>
              <button type="submit">{t.decline}</button>
            </p>
          </form>
        </div>
      ) : null}
    </Layout>
  );
}
