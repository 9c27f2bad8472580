/**
 * The work list at the scale of a region: a GET form of search, filters and sort (the state lives
 * in the URL, so a view can be bookmarked and shared), one page of rows with the columns the CSV
 * export repeats, paging links, and for coordinators and admins a bulk reassignment of the rows
 * selected.
 */
import { Flash, FlashText } from './flash';
import { Layout, type NavUser } from './layout';
import { T, type Locale } from './texts';
import { W } from './texts-workspace';
import {
  PAGE_SIZES,
  WORK_COLUMNS,
  WORK_SORTS,
  WORK_STATUSES,
  workCells,
  workQueryString,
  type WorkFilters,
  type WorkPage,
} from '../work-query';
import { ENROLLMENT_STATUS } from './texts';

export interface WorkTableProps {
  locale: Locale;
  here: string;
  user: NavUser;
  flash: string | null;
  page: WorkPage;
  filters: WorkFilters;
  /** Coordinators and admins: the selection and the bulk reassignment form. */
  bulk: boolean;
  /** The outcome of a bulk reassignment just made (composed by the server). */
  notice?: { kind: 'ok' | 'err'; text: string } | null;
  /** What was typed in the bulk form when it was refused. */
  bulkTyped?: { consultant: string; reason: string; ids: string[] };
}

type Opt = { value: string; label: string };

function Select(props: {
  id: string;
  name: string;
  label: string;
  value: string | undefined;
  options: Opt[];
  any: string;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.name}>
        <option value="">{props.any}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function WorkTablePage(props: WorkTableProps) {
  const { locale, user, page, filters } = props;
  const t = T[locale];
  const w = W[locale];
  const q = page.query;
  const sortLabel = { due: w.sortDue, created: w.sortCreated, company: w.sortCompany, status: w.sortStatus };
  const statusOptions = WORK_STATUSES.map((s) => ({
    value: s,
    label: s === 'all' ? w.all : (ENROLLMENT_STATUS[locale][s] ?? s),
  }));
  const typed = props.bulkTyped;
  return (
    <Layout locale={locale} title={`${w.allWork} · conciliaflow`} here={props.here} user={user}>
      <h1>{t.worklist}</h1>
      <Flash code={props.flash} locale={locale} />
      {props.notice ? <FlashText kind={props.notice.kind} text={props.notice.text} /> : null}
      <form method="get" action="/app" class="work-filters" role="search" aria-label={w.filters}>
        <div class="field wide">
          <label for="f-q">{w.search}</label>
          <input id="f-q" name="q" type="search" value={q.q ?? ''} maxlength={120} />
        </div>
        <Select
          id="f-edition"
          name="edition"
          label={w.edition}
          value={q.edition}
          options={filters.editions}
          any={w.any}
        />
        {filters.networks.length > 0 ? (
          <Select id="f-ats" name="ats" label={w.ats} value={q.ats} options={filters.networks} any={w.any} />
        ) : null}
        <Select
          id="f-alliance"
          name="alliance"
          label={w.alliance}
          value={q.alliance}
          options={filters.alliances}
          any={w.any}
        />
        <Select id="f-kind" name="kind" label={w.kind} value={q.kind} options={filters.kinds} any={w.any} />
        <Select id="f-step" name="step" label={w.step} value={q.step} options={filters.steps} any={w.any} />
        {user.role === 'consultant' ? null : (
          <Select
            id="f-consultant"
            name="consultant"
            label={w.consultant}
            value={q.consultant}
            options={filters.consultants}
            any={w.any}
          />
        )}
        <div class="field">
          <label for="f-status">{w.statusF}</label>
          <select id="f-status" name="status">
            {statusOptions.map((o) => (
              <option value={o.value} selected={o.value === q.status}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-sort">{w.sort}</label>
          <select id="f-sort" name="sort">
            {WORK_SORTS.map((s) => (
              <option value={s} selected={s === q.sort}>
                {sortLabel[s]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-dir">{w.dir}</label>
          <select id="f-dir" name="dir">
            <option value="asc" selected={q.dir === 'asc'}>
              {w.asc}
            </option>
            <option value="desc" selected={q.dir === 'desc'}>
              {w.desc}
            </option>
          </select>
        </div>
        <div class="field">
          <label for="f-size">{w.size}</label>
          <select id="f-size" name="size">
            {PAGE_SIZES.map((n) => (
              <option value={String(n)} selected={n === q.size}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div class="field check">
          <input id="f-overdue" type="checkbox" name="overdue" value="1" checked={q.overdue === '1'} />
          <label for="f-overdue">{w.overdueOnly}</label>
        </div>
        <div class="field actions">
          <button type="submit">{w.apply}</button> <a href="/app">{w.reset}</a>
        </div>
      </form>
      <p id="results" role="status">
        {w.results(page.total, q.page, page.pages)} ·{' '}
        <a href={`/app/export.csv${workQueryString(q)}`} download>
          {w.csv}
        </a>
      </p>
      {page.rows.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <div class="table-scroll">
          <table class="responsive work-table" aria-describedby="results">
            <thead>
              <tr>
                {props.bulk ? (
                  <th scope="col">
                    <span class="visually-hidden">{w.select}</span>
                  </th>
                ) : null}
                {WORK_COLUMNS[locale].map((c) => (
                  <th scope="col">{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => {
                const cells = workCells(r);
                const cols = WORK_COLUMNS[locale];
                return (
                  <tr>
                    {props.bulk ? (
                      <td data-label={w.select}>
                        <input
                          type="checkbox"
                          form="bulk"
                          name="ids"
                          value={r.enrollmentId}
                          id={`sel-${r.enrollmentId}`}
                          checked={typed?.ids.includes(r.enrollmentId)}
                          aria-label={`${w.select}: ${r.companyName}`}
                        />
                      </td>
                    ) : null}
                    <th scope="row" data-label={cols[0]}>
                      <a href={`/app/enrollments/${encodeURIComponent(r.enrollmentId)}`}>{cells[0]}</a>
                    </th>
                    {cells.slice(1).map((c, i) => (
                      <td data-label={cols[i + 1]} class={i + 1 === 6 && r.daysLate > 0 ? 'overdue' : undefined}>
                        {i + 1 === 1 ? <a href={`/app/companies/${encodeURIComponent(r.companyId)}`}>{c}</a> : c}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label={w.paging} class="paging">
        {q.page > 1 ? (
          <a rel="prev" href={`/app${workQueryString(q, { page: q.page - 1 })}`}>
            {w.prev}
          </a>
        ) : null}{' '}
        {q.page < page.pages ? (
          <a rel="next" href={`/app${workQueryString(q, { page: q.page + 1 })}`}>
            {w.next}
          </a>
        ) : null}
      </nav>
      {props.bulk ? (
        <form id="bulk" method="post" action="/app/reassign" class="bulk">
          <h2 id="bulk-title">{w.bulkTitle}</h2>
          <input type="hidden" name="csrf" value={user.csrf} />
          <input type="hidden" name="back" value={`/app${workQueryString(q)}`} />
          <div class="field">
            <label for="bulk-to">{w.bulkTo}</label>
            <select id="bulk-to" name="consultant" required>
              <option value="">—</option>
              {filters.consultants.map((c) => (
                <option value={c.value} selected={c.value === typed?.consultant}>
                  {c.label} ({c.value})
                </option>
              ))}
            </select>
          </div>
          <div class="field wide">
            <label for="bulk-reason">{w.bulkReason}</label>
            <textarea id="bulk-reason" name="reason" required minlength={5} maxlength={1000}>
              {typed?.reason ?? ''}
            </textarea>
          </div>
          <button type="submit">{w.bulkGo}</button>
        </form>
      ) : null}
    </Layout>
  );
}
