/**
 * The Region's editions pages: the list with a form to create one, and one edition with its
 * details, its decrees and their fan-out's progress, a form to change it and one to record a decree
 * that moves its end (an earlier end asks for confirmation first). Every form posts to the
 * dashboard with the session's CSRF token; the store functions are those of the API.
 */
import type { DecreeProgress } from '../../../workflows/messages';
import type { ProgrammeView } from '../../programmes';
import { FlashText } from './flash';
import { Layout, type NavUser } from './layout';
import type { Locale } from './texts';
import { EDITION_TEXT } from './texts-editions';

export interface Choice {
  value: string;
  label: string;
}

interface Chrome {
  locale: Locale;
  here: string;
  user: NavUser;
  /** The outcome of a submitted form, composed by the server. */
  result?: { kind: 'ok' | 'err'; text: string };
}

export interface EditionsPageProps extends Chrome {
  editions: ProgrammeView[];
  atsChoices: Choice[];
  kindChoices: Choice[];
  /** What the create form showed when it was refused, to fill it again. */
  draft?: Record<string, string | string[]>;
}

export interface EditionPageProps extends Chrome {
  edition: ProgrammeView;
  atsChoices: Choice[];
  kindChoices: Choice[];
  /** Each decree's fan-out progress by decree id (null: its workflow could not be asked). */
  progress: Record<string, DecreeProgress | null>;
  /** A shortening waiting for confirmation: the form's values, and how many open pathways it shortens. */
  confirm?: { endsOn: string; decree: string; note: string; open: number };
}

const day = (locale: Locale, d: string | null) => d ?? EDITION_TEXT[locale].unknown;

export function EditionsPage(props: EditionsPageProps) {
  const { locale, here, user, editions } = props;
  const t = EDITION_TEXT[locale];
  return (
    <Layout locale={locale} title={`${t.title} · conciliaflow`} here={here} user={user}>
      <h1>{t.title}</h1>
      {props.result ? <FlashText kind={props.result.kind} text={props.result.text} /> : null}
      <table class="responsive">
        <caption>{t.list}</caption>
        <thead>
          <tr>
            <th scope="col">{t.code}</th>
            <th scope="col">{t.name}</th>
            <th scope="col">{t.enrollment}</th>
            <th scope="col">{t.endsOn}</th>
            <th scope="col">{t.decrees}</th>
          </tr>
        </thead>
        <tbody>
          {editions.map((e) => (
            <tr>
              <th scope="row" data-label={t.code}>
                <a href={`/app/editions/${encodeURIComponent(e.code)}`}>{e.code}</a>
              </th>
              <td data-label={t.name}>
                {e.name}
                {e.demo ? <strong> ({t.demo})</strong> : null}
              </td>
              <td data-label={t.enrollment}>
                {day(locale, e.enrollmentOpensOn)} → {day(locale, e.enrollmentClosesOn)}
              </td>
              <td data-label={t.endsOn}>{day(locale, e.endsOn)}</td>
              <td data-label={t.decrees} class="num">
                {e.decrees.length}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="create">{t.create}</h2>
      <form method="post" action="/app/editions" class="card" aria-labelledby="create">
        <input type="hidden" name="csrf" value={user.csrf} />
        <TextField id="code" label={t.code} value={one(props.draft?.code)} required maxLength={40} />
        <EditionFields
          locale={locale}
          values={props.draft ?? {}}
          atsChoices={props.atsChoices}
          kindChoices={props.kindChoices}
          endEditable
        />
        <p>
          <button type="submit">{t.createSubmit}</button>
        </p>
      </form>
    </Layout>
  );
}

export function EditionPage(props: EditionPageProps) {
  const { locale, here, user, edition: e } = props;
  const t = EDITION_TEXT[locale];
  const path = `/app/editions/${encodeURIComponent(e.code)}`;
  const values: Record<string, string | string[]> = {
    name: e.name,
    decision: e.decision ?? '',
    startsOn: e.startsOn ?? '',
    enrollmentOpensOn: e.enrollmentOpensOn ?? '',
    enrollmentClosesOn: e.enrollmentClosesOn ?? '',
    endsOn: e.endsOn ?? '',
    notes: e.notes ?? '',
    atsCodes: e.atsCodes,
    actions: e.actions.map((a) => a.kind),
    ...(e.demo ? { demo: 'on' } : {}),
  };
  return (
    <Layout locale={locale} title={`${e.code} · ${t.title} · conciliaflow`} here={here} user={user}>
      <p>
        <a href="/app/editions">{t.title}</a>
      </p>
      <h1>
        {e.name} ({e.code})
      </h1>
      {props.result ? <FlashText kind={props.result.kind} text={props.result.text} /> : null}
      {e.demo ? <p class="flash err">{t.demoFlag}</p> : null}
      <dl class="meta">
        <dt>{t.decision}</dt>
        <dd>{e.decision ?? t.unknown}</dd>
        <dt>{t.startsOn}</dt>
        <dd>{day(locale, e.startsOn)}</dd>
        <dt>{t.enrollment}</dt>
        <dd>
          {day(locale, e.enrollmentOpensOn)} → {day(locale, e.enrollmentClosesOn)}
        </dd>
        <dt>{t.endsOn}</dt>
        <dd>{day(locale, e.endsOn)}</dd>
        <dt>{t.originalEndsOn}</dt>
        <dd>{day(locale, e.originalEndsOn)}</dd>
        <dt>{t.ats}</dt>
        <dd>{e.atsCodes.join(', ') || t.none}</dd>
        <dt>{t.actions}</dt>
        <dd>
          {e.actions.map((a) => (a.catalogueVersion ? `${a.kind}@v${a.catalogueVersion}` : a.kind)).join(', ') ||
            t.none}
        </dd>
        <dt>{t.alliances}</dt>
        <dd>{e.alliances.map((a) => `${a.name} (${a.atsCode})`).join(', ') || t.none}</dd>
        <dt>{t.notes}</dt>
        <dd>{e.notes ?? t.none}</dd>
      </dl>

      <h2 id="decrees">{t.decrees}</h2>
      {e.decrees.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <table class="responsive" aria-labelledby="decrees">
          <thead>
            <tr>
              <th scope="col">{t.decree}</th>
              <th scope="col">{t.kind}</th>
              <th scope="col">{t.change}</th>
              <th scope="col">{t.recorded}</th>
              <th scope="col">{t.progress}</th>
            </tr>
          </thead>
          <tbody>
            {e.decrees.map((d) => {
              const p = props.progress[d.id];
              return (
                <tr>
                  <th scope="row" data-label={t.decree}>
                    {d.decree}
                  </th>
                  <td data-label={t.kind}>
                    {t.kinds[d.kind] ?? d.kind}
                    {d.forced ? ' (force)' : ''}
                  </td>
                  <td data-label={t.change}>{d.newEndsOn ? `${d.previousEndsOn ?? '?'} → ${d.newEndsOn}` : '—'}</td>
                  <td data-label={t.recorded}>{d.recordedAt.slice(0, 10)}</td>
                  <td data-label={t.progress}>
                    {d.fanOutWorkflowId ? (p ? t.progressOf(p) : t.progressUnknown) : '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {props.confirm ? (
        <section class="card" aria-labelledby="confirm">
          <h2 id="confirm">{t.confirmTitle}</h2>
          <p role="alert">{t.confirmText(e.endsOn ?? '?', props.confirm.endsOn, props.confirm.open)}</p>
          <form method="post" action={`${path}/extend`} class="inline">
            <input type="hidden" name="csrf" value={user.csrf} />
            <input type="hidden" name="endsOn" value={props.confirm.endsOn} />
            <input type="hidden" name="decree" value={props.confirm.decree} />
            <input type="hidden" name="note" value={props.confirm.note} />
            <input type="hidden" name="confirm" value="1" />
            <button type="submit">{t.confirmSubmit}</button>
          </form>{' '}
          <a href={path}>{t.cancel}</a>
        </section>
      ) : null}

      <h2 id="extend">{t.extend}</h2>
      <form method="post" action={`${path}/extend`} class="card" aria-labelledby="extend">
        <p>{t.extendHint}</p>
        <input type="hidden" name="csrf" value={user.csrf} />
        <TextField id="x-endsOn" name="endsOn" label={t.newEndsOn} value="" required type="date" />
        <TextField id="x-decree" name="decree" label={t.decreeText} value="" required maxLength={200} />
        <TextField id="x-note" name="note" label={t.decreeNote} value="" maxLength={2000} />
        <p>
          <button type="submit">{t.extendSubmit}</button>
        </p>
      </form>

      <h2 id="update">{t.update}</h2>
      <form method="post" action={path} class="card" aria-labelledby="update">
        <input type="hidden" name="csrf" value={user.csrf} />
        <EditionFields
          locale={locale}
          values={values}
          atsChoices={props.atsChoices}
          kindChoices={props.kindChoices}
          endEditable={e.endsOn === null}
        />
        <p>
          <button type="submit">{t.updateSubmit}</button>
        </p>
      </form>
    </Layout>
  );
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The fields an edition's forms share; the end is editable only while none is set. */
function EditionFields(p: {
  locale: Locale;
  values: Record<string, string | string[]>;
  atsChoices: Choice[];
  kindChoices: Choice[];
  endEditable: boolean;
}) {
  const t = EDITION_TEXT[p.locale];
  const v = p.values;
  return (
    <>
      <TextField id="name" label={t.name} value={one(v.name)} required maxLength={200} />
      <TextField id="decision" label={t.decision} value={one(v.decision)} maxLength={200} />
      <TextField id="startsOn" label={t.startsOn} value={one(v.startsOn)} type="date" hint={t.dateHint} />
      <TextField
        id="enrollmentOpensOn"
        label={t.enrollmentOpensOn}
        value={one(v.enrollmentOpensOn)}
        type="date"
        hint={t.dateHint}
      />
      <TextField
        id="enrollmentClosesOn"
        label={t.enrollmentClosesOn}
        value={one(v.enrollmentClosesOn)}
        type="date"
        hint={t.dateHint}
      />
      {p.endEditable ? (
        <TextField id="endsOn" label={t.endsOn} value={one(v.endsOn)} type="date" hint={t.dateHint} />
      ) : (
        <p class="muted">
          {t.endsOn}: {one(v.endsOn)}. {t.endByDecree}
        </p>
      )}
      <Checkboxes name="atsCodes" legend={t.ats} choices={p.atsChoices} checked={many(v.atsCodes)} />
      <Checkboxes name="actions" legend={t.actions} choices={p.kindChoices} checked={many(v.actions)} />
      <p>
        <label for="notes">{t.notes}</label>
        <br />
        <textarea id="notes" name="notes" rows={3} maxLength={4000}>
          {one(v.notes)}
        </textarea>
      </p>
      <p>
        <input id="demo" name="demo" type="checkbox" value="on" checked={one(v.demo) === 'on'} />{' '}
        <label for="demo">{t.demoFlag}</label>
      </p>
    </>
  );
}

function TextField(p: {
  id: string;
  name?: string;
  label: string;
  value: string;
  required?: boolean;
  maxLength?: number;
  type?: 'text' | 'date';
  hint?: string;
}) {
  const hintId = p.hint ? `${p.id}-hint` : undefined;
  return (
    <p>
      <label for={p.id}>{p.label}</label>
      <br />
      <input
        id={p.id}
        name={p.name ?? p.id}
        type={p.type ?? 'text'}
        value={p.value}
        required={p.required}
        maxLength={p.maxLength}
        aria-describedby={hintId}
      />
      {hintId ? (
        <>
          <br />
          <small id={hintId}>{p.hint}</small>
        </>
      ) : null}
    </p>
  );
}

function Checkboxes(p: { name: string; legend: string; choices: Choice[]; checked: string[] }) {
  return (
    <fieldset>
      <legend>{p.legend}</legend>
      {p.choices.map((c) => (
        <span class="choice">
          {/* One name per box (`atsCodes.ats-milano`): the dashboard's form parser keeps one value a name. */}
          <input
            id={`${p.name}-${c.value}`}
            type="checkbox"
            name={`${p.name}.${c.value}`}
            value="on"
            checked={p.checked.includes(c.value)}
          />{' '}
          <label for={`${p.name}-${c.value}`}>{c.label}</label>
        </span>
      ))}
    </fieldset>
  );
}
