/**
 * One enrollment: its steps (withdrawn and completed ones reading as such), the actions the
 * signed-in role may take (client/auth/enrollment-permissions.ts, the API's own rules), each
 * asking for its reason where the API does, and the timeline with reasons, old and new dates and
 * people by name. A refused action comes back here with the error and what was typed.
 */
import { DocumentsTimeline } from './documents';
import { Flash, FlashText } from './flash';
import { Layout, type NavUser } from './layout';
import { T, type Locale } from './texts';
import { W } from './texts-workspace';
import type { EnrollmentPageData, StepRow, TimelineItem } from '../workspace-loaders';

export type { StepRow, TimelineItem };

/** An action the page re-renders after a refusal, with what was typed. */
export interface ActionFormState {
  action: string;
  error: string;
  values: Record<string, string>;
}

export interface EnrollmentPageProps extends EnrollmentPageData {
  locale: Locale;
  here: string;
  user: NavUser;
  flash: string | null;
  refused?: ActionFormState | null;
}

function Hidden({ csrf }: { csrf: string }) {
  return <input type="hidden" name="csrf" value={csrf} />;
}

/** One action form; `id` names its fields and error so the page can point at them. */
function ActionForm(props: {
  id: string;
  title: string;
  action: string;
  csrf: string;
  refused: ActionFormState | null | undefined;
  submit: string;
  children?: preact.ComponentChildren;
}) {
  const failed = props.refused?.action === props.id;
  return (
    <form method="post" action={props.action} class="action-form" aria-labelledby={`${props.id}-title`}>
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      {failed ? (
        <p class="flash err" role="alert" id={`${props.id}-error`}>
          {props.refused!.error}
        </p>
      ) : null}
      <Hidden csrf={props.csrf} />
      {props.children}
      <button type="submit">{props.submit}</button>
    </form>
  );
}

function ReasonField({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div class="field wide">
      <label for={`${id}-reason`}>{label}</label>
      <textarea id={`${id}-reason`} name="reason" required minlength={5} maxlength={1000}>
        {value}
      </textarea>
    </div>
  );
}

export function Timeline({ locale, items }: { locale: Locale; items: TimelineItem[] }) {
  const t = T[locale];
  const w = W[locale];
  return (
    <ol class="timeline" aria-labelledby="timeline">
      {items.map((m) => (
        <li>
          <time dateTime={m.at}>{m.when}</time> <strong>{m.label}</strong>
          {m.stepName ? `: ${m.stepName}` : null}{' '}
          <span class="actor">
            {t.by} {m.actorName}
          </span>
          {m.late ? (
            <>
              {' '}
              <span class="overdue">({t.late})</span>
            </>
          ) : null}
          {m.newDue ? (
            <>
              <br />
              <small class="dates">{m.oldDue ? w.fromTo(m.oldDue, m.newDue) : w.newDue(m.newDue)}</small>
            </>
          ) : null}
          {m.assignedTo ? (
            <>
              <br />
              <small>{w.assignedTo(m.assignedTo)}</small>
            </>
          ) : null}
          {m.reason ? (
            <>
              <br />
              <small class="reason">
                {w.reason}: {m.reason}
              </small>
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
  );
}

function Actions(p: EnrollmentPageProps) {
  const w = W[p.locale];
  const base = `/app/enrollments/${encodeURIComponent(p.enrollmentId)}/actions`;
  const typed = (action: string, field: string) =>
    p.refused?.action === action ? (p.refused.values[field] ?? '') : '';
  const current = p.steps.find((s) => s.key === p.may.complete);
  const active = p.steps.find((s) => s.statusCode === 'active');
  const any =
    p.may.complete ||
    (p.may.reopen && p.reopenable) ||
    p.may.extend ||
    p.may.withdraw ||
    p.may.reassign ||
    p.may.confirm;
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">{w.actions}</h2>
      {p.refused && !['complete', 'reopen', 'extend', 'withdraw', 'reassign', 'confirm'].includes(p.refused.action) ? (
        <FlashText kind="err" text={p.refused.error} />
      ) : null}
      {!any ? <p>{w.nothingToDo}</p> : null}
      <div class="action-grid">
        {p.may.confirm ? (
          <ActionForm
            id="confirm"
            title={w.confirm}
            action={`${base}/confirm`}
            csrf={p.user.csrf}
            refused={p.refused}
            submit={w.send}
          >
            <p>{w.confirmText}</p>
          </ActionForm>
        ) : null}
        {p.may.complete && current ? (
          <ActionForm
            id="complete"
            title={w.completeStep(current.name)}
            action={`${base}/complete`}
            csrf={p.user.csrf}
            refused={p.refused}
            submit={T[p.locale].complete}
          >
            <input type="hidden" name="stepKey" value={current.key} />
            <div class="field wide">
              <label for="complete-evidence">{current.evidenceLabel ?? T[p.locale].evidence}</label>
              <input
                id="complete-evidence"
                name="evidence"
                maxlength={2000}
                required={current.evidenceLabel !== null}
                value={typed('complete', 'evidence')}
              />
            </div>
          </ActionForm>
        ) : null}
        {p.may.extend && active ? (
          <ActionForm
            id="extend"
            title={w.extend}
            action={`${base}/extend`}
            csrf={p.user.csrf}
            refused={p.refused}
            submit={w.extend}
          >
            <input type="hidden" name="stepKey" value={active.key} />
            <p>
              {active.name} · {T[p.locale].due}: {active.due}
            </p>
            <div class="field">
              <label for="extend-date">{w.newDueDate}</label>
              <input id="extend-date" name="newDueDate" type="date" required value={typed('extend', 'newDueDate')} />
            </div>
            <ReasonField id="extend" label={w.reason} value={typed('extend', 'reason')} />
          </ActionForm>
        ) : null}
        {p.may.reopen && p.reopenable ? (
          <ActionForm
            id="reopen"
            title={w.reopen}
            action={`${base}/reopen`}
            csrf={p.user.csrf}
            refused={p.refused}
            submit={w.reopen}
          >
            <input type="hidden" name="stepKey" value={p.reopenable.key} />
            <p>
              {w.reopenStep}: {p.reopenable.name}
            </p>
            <ReasonField id="reopen" label={w.reason} value={typed('reopen', 'reason')} />
          </ActionForm>
        ) : null}
        {p.may.reassign && p.consultants.length > 0 ? (
          <ActionForm
            id="reassign"
            title={w.reassign}
            action={`${base}/reassign`}
            csrf={p.user.csrf}
            refused={p.refused}
            submit={w.reassign}
          >
            <div class="field wide">
              <label for="reassign-to">{w.bulkTo}</label>
              <select id="reassign-to" name="consultant" required>
                <option value="">—</option>
                {p.consultants.map((c) => (
                  <option value={c.value} selected={c.value === typed('reassign', 'consultant')}>
                    {c.label}
                  </option>
                ))}
              </select>
            </div>
          </ActionForm>
        ) : null}
        {p.may.withdraw ? (
          <ActionForm
            id="withdraw"
            title={w.withdraw}
            action={`${base}/withdraw`}
            csrf={p.user.csrf}
            refused={p.refused}
            submit={w.withdraw}
          >
            <ReasonField id="withdraw" label={w.reason} value={typed('withdraw', 'reason')} />
          </ActionForm>
        ) : null}
      </div>
    </section>
  );
}

export function EnrollmentPage(p: EnrollmentPageProps) {
  const t = T[p.locale];
  const w = W[p.locale];
  const enc = encodeURIComponent(p.enrollmentId);
  return (
    <Layout locale={p.locale} title={`${p.companyName} · conciliaflow`} here={p.here} user={p.user}>
      <h1>{p.companyName}</h1>
      <Flash code={p.flash} locale={p.locale} />
      <p>
        {t.pathway}: <strong>{p.pathwayName}</strong> · {t.status}: <strong>{p.status}</strong> · {t.consultant}:{' '}
        {p.consultantName}
      </p>
      <ul class="links">
        <li>
          <a href={`/app/companies/${encodeURIComponent(p.companyId)}`}>{w.firmPage}</a>
        </li>
        <li>
          <a href={`/app/enrollments/${enc}/participants`}>{w.participantsPage}</a>
        </li>
        <li>
          <a href={`/app/enrollments/${enc}/documents`}>{w.documentsPage}</a>
        </li>
      </ul>
      <table class="responsive">
        <caption>{t.steps}</caption>
        <thead>
          <tr>
            <th scope="col">{t.step}</th>
            <th scope="col">{t.status}</th>
            <th scope="col">{t.due}</th>
            <th scope="col">{t.evidence}</th>
          </tr>
        </thead>
        <tbody>
          {p.steps.map((s) => (
            <tr class={`step-${s.statusCode}`}>
              <th scope="row" data-label={t.step}>
                {s.name}
              </th>
              <td data-label={t.status}>
                {s.status}
                {s.statusCode === 'done' ? ` · ${s.completed}` : null}
              </td>
              <td data-label={t.due}>{s.due}</td>
              <td data-label={t.evidence}>{s.evidenceLabel ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Actions {...p} />
      <h2 id="timeline">{t.timeline}</h2>
      <Timeline locale={p.locale} items={p.timeline} />
      <DocumentsTimeline locale={p.locale} enrollmentId={p.enrollmentId} items={p.documents ?? []} />
    </Layout>
  );
}
