/**
 * The Region's console (admin only, under /app/console): users, the audit log, schedules and the
 * funding ledger. Every form posts with the session's CSRF token and comes back here with a flash
 * code (or the page again with the refusal in the reader's language).
 */
import type { ComponentChildren } from 'preact';
import { ATS_NETWORKS } from '../../../domain/territory';
import { formatRomeDateTime } from '../../../domain/calendar';
import { formatEuro } from '../../../domain/money';
import type { TokenView, UserView } from '../../auth/users';
import type { ScheduleView } from '../../schedules';
import type { FundingImportPreview } from '../../funding-store';
import { FUNDING_CSV_COLUMNS } from '../../funding-csv';
import type { AuditEntryView, AuditFilters, ConsoleUserRow, FundingConsoleData, UserFilters } from '../console-loaders';
import { Layout, type NavUser } from './layout';
import { CT } from './texts-console';
import { InviteForm, ResetForm, type InviteValues } from './console-user-access';
import type { Locale } from './texts';

interface Chrome {
  locale: Locale;
  here: string;
  user: NavUser;
}

/** A result line: the flash text for a code from the URL (only codes of this table), or the server's own refusal. */
export interface ConsoleNotice {
  kind: 'ok' | 'err';
  text: string;
}

export function noticeFromQuery(locale: Locale, query: { ok?: unknown }): ConsoleNotice | null {
  const text = typeof query.ok === 'string' ? CT[locale].flash[query.ok] : undefined;
  return text ? { kind: 'ok', text } : null;
}

const when = (iso: string | null, locale: Locale, never: string) =>
  iso ? formatRomeDateTime(Date.parse(iso), locale) : never;

function ConsoleLayout(props: Chrome & { title: string; notice?: ConsoleNotice | null; children?: ComponentChildren }) {
  const t = CT[props.locale];
  const links: [string, string][] = [
    ['/app/console/users', t.users],
    ['/app/console/audit', t.audit],
    ['/app/console/schedules', t.schedules],
    ['/app/console/funding', t.funding],
  ];
  if (props.user.hasMail) links.push(['/mail', t.mail]);
  return (
    <Layout locale={props.locale} title={`${props.title} · conciliaflow`} here={props.here} user={props.user}>
      <nav aria-label={t.consoleTitle} class="console-nav">
        <ul>
          {links.map(([href, label]) => (
            <li>
              <a href={href} aria-current={props.here === href ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h1>{props.title}</h1>
      {props.notice ? (
        <p class={`flash ${props.notice.kind}`} role={props.notice.kind === 'err' ? 'alert' : 'status'}>
          {props.notice.text}
        </p>
      ) : null}
      <div class="console">{props.children}</div>
    </Layout>
  );
}

const Csrf = ({ user }: { user: NavUser }) => <input type="hidden" name="csrf" value={user.csrf} />;

export function ConsoleHomePage(p: Chrome) {
  const t = CT[p.locale];
  return (
    <ConsoleLayout {...p} title={t.consoleTitle}>
      <p>{t.consoleIntro}</p>
      <ul class="console-links">
        <li>
          <a href="/app/console/users">{t.users}</a>
        </li>
        <li>
          <a href="/app/console/audit">{t.audit}</a>
        </li>
        <li>
          <a href="/app/console/schedules">{t.schedules}</a>
        </li>
        <li>
          <a href="/app/console/funding">{t.funding}</a>
        </li>
        <li>
          {t.fundingReport}: <a href={`/reports/funding?format=html&lang=${p.locale}`}>HTML/PDF</a> ·{' '}
          <a href="/reports/funding?format=csv">CSV</a>
        </li>
        {p.user.hasMail ? (
          <li>
            <a href="/mail">{t.mail}</a>
          </li>
        ) : null}
      </ul>
    </ConsoleLayout>
  );
}

function Pager(p: { locale: Locale; page: number; pages: number; href: (page: number) => string }) {
  const t = CT[p.locale];
  return (
    <nav aria-label={t.page(p.page, p.pages)} class="pager">
      <span>{t.page(p.page, p.pages)}</span>
      {p.page > 1 ? (
        <a href={p.href(p.page - 1)} rel="prev">
          {t.prev}
        </a>
      ) : null}
      {p.page < p.pages ? (
        <a href={p.href(p.page + 1)} rel="next">
          {t.next}
        </a>
      ) : null}
    </nav>
  );
}

const query = (params: Record<string, string | number>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== 0) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export interface UsersPageProps extends Chrome {
  filters: UserFilters;
  items: ConsoleUserRow[];
  total: number;
  pages: number;
  notice?: ConsoleNotice | null;
  /** The invite form's values shown again after a refusal. */
  inviteValues?: InviteValues | null;
}

export function UsersPage(p: UsersPageProps) {
  const t = CT[p.locale];
  const f = p.filters;
  return (
    <ConsoleLayout {...p} title={t.users} notice={p.notice ?? null}>
      <form method="get" action="/app/console/users" class="filters">
        <p>
          <label for="q">{t.search}</label>
          <input id="q" name="q" type="search" value={f.q} maxLength={120} />
        </p>
        <p>
          <label for="role">{t.role}</label>
          <select id="role" name="role">
            <option value="">{t.any}</option>
            {Object.entries(t.roles).map(([v, label]) => (
              <option value={v} selected={f.role === v}>
                {label}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="ats">{t.ats}</label>
          <select id="ats" name="ats">
            <option value="">{t.any}</option>
            {ATS_NETWORKS.map((a) => (
              <option value={a.code} selected={f.ats === a.code}>
                {a.name}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="status">{t.status}</label>
          <select id="status" name="status">
            <option value="">{t.any}</option>
            <option value="active" selected={f.status === 'active'}>
              {t.active}
            </option>
            <option value="disabled" selected={f.status === 'disabled'}>
              {t.disabled}
            </option>
          </select>
        </p>
        <p>
          <button type="submit">{t.filter}</button> <a href="/app/console/users">{t.reset}</a>
        </p>
      </form>
      <p role="status">{t.results(p.total)}</p>
      {p.items.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <table class="responsive">
          <caption class="visually-hidden">{t.users}</caption>
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.email}</th>
              <th scope="col">{t.role}</th>
              <th scope="col">{t.ats}</th>
              <th scope="col">{t.status}</th>
              <th scope="col">{t.lastSignIn}</th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((u) => (
              <tr>
                <th scope="row" data-label={t.name}>
                  <a href={`/app/console/users/${encodeURIComponent(u.id)}`}>{u.name}</a>
                </th>
                <td data-label={t.email}>{u.email}</td>
                <td data-label={t.role}>{t.roles[u.role] ?? u.role}</td>
                <td data-label={t.ats}>{u.atsCode ?? '–'}</td>
                <td data-label={t.status}>{u.disabled ? t.disabled : t.active}</td>
                <td data-label={t.lastSignIn}>{when(u.lastSignInAt, p.locale, t.never)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        locale={p.locale}
        page={f.page}
        pages={p.pages}
        href={(page) => `/app/console/users${query({ q: f.q, role: f.role, ats: f.ats, status: f.status, page })}`}
      />
      <InviteForm locale={p.locale} user={p.user} values={p.inviteValues ?? null} />
    </ConsoleLayout>
  );
}

export interface UserPageProps extends Chrome {
  notice?: ConsoleNotice | null;
  target: UserView;
  allianceCode: string | null;
  lastSignInAt: string | null;
  companyName: string | null;
  companyVatNumber: string | null;
  tokens: TokenView[];
  history: AuditEntryView[];
  /** Whether the signed-in admin is this user (no deactivation nor role change of oneself). */
  self: boolean;
}

export function UserPage(p: UserPageProps) {
  const t = CT[p.locale];
  const u = p.target;
  const base = `/app/console/users/${encodeURIComponent(u.id)}`;
  return (
    <ConsoleLayout {...p} title={u.name} notice={p.notice ?? null}>
      <dl class="meta">
        <dt>{t.email}</dt>
        <dd>{u.email}</dd>
        <dt>{t.role}</dt>
        <dd>{t.roles[u.role] ?? u.role}</dd>
        <dt>{t.ats}</dt>
        <dd>{u.atsCode ?? '–'}</dd>
        <dt>{t.alliance}</dt>
        <dd>{p.allianceCode ?? '–'}</dd>
        <dt>{t.company}</dt>
        <dd>{p.companyName ? `${p.companyName} (${p.companyVatNumber})` : '–'}</dd>
        <dt>{t.status}</dt>
        <dd>{u.disabled ? t.disabled : t.active}</dd>
        <dt>{t.lastSignIn}</dt>
        <dd>{when(p.lastSignInAt, p.locale, t.never)}</dd>
        <dt>{t.created}</dt>
        <dd>{when(u.createdAt, p.locale, '–')}</dd>
      </dl>

      {p.self ? null : (
        <section aria-labelledby="role-h">
          <h2 id="role-h">{t.changeRole}</h2>
          <p class="muted" id="role-help">
            {t.changeRoleHelp}
          </p>
          <form method="post" action={`${base}/role`} class="stack" aria-describedby="role-help">
            <Csrf user={p.user} />
            <p>
              <label for="new-role">{t.role}</label>
              <select id="new-role" name="role">
                {Object.entries(t.roles).map(([v, label]) => (
                  <option value={v} selected={u.role === v}>
                    {label}
                  </option>
                ))}
              </select>
            </p>
            <p>
              <label for="new-ats">{t.ats}</label>
              <select id="new-ats" name="atsCode">
                <option value="">–</option>
                {ATS_NETWORKS.map((a) => (
                  <option value={a.code} selected={u.atsCode === a.code}>
                    {a.name}
                  </option>
                ))}
              </select>
            </p>
            <p>
              <label for="new-alliance">{t.alliance}</label>
              <input id="new-alliance" name="allianceCode" value={p.allianceCode ?? ''} maxLength={60} />
            </p>
            <p>
              <label for="new-vat">{t.vat}</label>
              <input id="new-vat" name="companyVatNumber" value={p.companyVatNumber ?? ''} maxLength={20} />
            </p>
            <p>
              <button type="submit">{t.save}</button>
            </p>
          </form>
        </section>
      )}

      {p.self ? null : (
        <section aria-labelledby="status-h">
          <h2 id="status-h">{t.status}</h2>
          <p class="muted">{u.disabled ? t.reactivateHelp : t.deactivateHelp}</p>
          <form method="post" action={`${base}/${u.disabled ? 'reactivate' : 'deactivate'}`}>
            <Csrf user={p.user} />
            <button type="submit">{u.disabled ? t.reactivate : t.deactivate}</button>
          </form>
        </section>
      )}

      {u.disabled ? null : <ResetForm locale={p.locale} user={p.user} userId={u.id} />}

      <section aria-labelledby="tokens-h">
        <h2 id="tokens-h">{t.tokens}</h2>
        {p.tokens.length === 0 ? (
          <p>{t.noTokens}</p>
        ) : (
          <table class="responsive">
            <caption class="visually-hidden">{t.tokens}</caption>
            <thead>
              <tr>
                <th scope="col">{t.tokenName}</th>
                <th scope="col">{t.tokenCreated}</th>
                <th scope="col">{t.tokenLastUsed}</th>
                <th scope="col">{t.tokenExpires}</th>
                <th scope="col">{t.tokenState}</th>
                <th scope="col">
                  <span class="visually-hidden">{t.revoke}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.tokens.map((k) => (
                <tr>
                  <th scope="row" data-label={t.tokenName}>
                    {k.name}
                  </th>
                  <td data-label={t.tokenCreated}>{when(k.createdAt, p.locale, '–')}</td>
                  <td data-label={t.tokenLastUsed}>{when(k.lastUsedAt, p.locale, t.never)}</td>
                  <td data-label={t.tokenExpires}>{when(k.expiresAt, p.locale, '–')}</td>
                  <td data-label={t.tokenState}>
                    {k.revokedAt ? t.tokenRevoked : k.active ? t.tokenActive : t.tokenExpired}
                  </td>
                  <td>
                    {k.active ? (
                      <form method="post" action={`${base}/tokens/${encodeURIComponent(k.id)}/revoke`}>
                        <Csrf user={p.user} />
                        <button type="submit" aria-label={`${t.revoke}: ${k.name}`}>
                          {t.revoke}
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="history-h">
        <h2 id="history-h">{t.history}</h2>
        <AuditTable locale={p.locale} items={p.history} caption={t.history} />
        <p>
          <a href={`/app/console/audit${query({ entity: 'user', entityId: u.id })}`}>{t.allAudit}</a>
        </p>
      </section>
    </ConsoleLayout>
  );
}

function AuditTable({ locale, items, caption }: { locale: Locale; items: AuditEntryView[]; caption: string }) {
  const t = CT[locale];
  if (items.length === 0) return <p>{t.none}</p>;
  return (
    <table class="responsive audit">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t.when}</th>
          <th scope="col">{t.who}</th>
          <th scope="col">{t.what}</th>
          <th scope="col">{t.entity}</th>
          <th scope="col">{t.changes}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr>
            <td data-label={t.when}>
              <time dateTime={e.at}>{formatRomeDateTime(Date.parse(e.at), locale)}</time>
            </td>
            <td data-label={t.who}>
              {e.actorName} <span class="muted">({e.actorRole})</span>
            </td>
            <td data-label={t.what}>
              <code>{e.action}</code>
            </td>
            <td data-label={t.entity}>
              {e.entityLabel} <span class="muted">({e.entity})</span>
            </td>
            <td data-label={t.changes}>
              {e.changes.length === 0 ? (
                <span class="muted">{t.noChange}</span>
              ) : (
                <dl class="diff">
                  {e.changes.map((c) => (
                    <div>
                      <dt>{c.field}</dt>
                      <dd>
                        {c.before !== null ? (
                          <del>
                            <span class="visually-hidden">{t.before}: </span>
                            {c.before}
                          </del>
                        ) : null}{' '}
                        {c.after !== null ? (
                          <ins>
                            <span class="visually-hidden">{t.after}: </span>
                            {c.after}
                          </ins>
                        ) : null}
                      </dd>
                    </div>
                  ))}
                </dl>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface AuditPageProps extends Chrome {
  filters: AuditFilters;
  items: AuditEntryView[];
  nextCursor: string | null;
  entities: string[];
  actions: string[];
}

export function AuditPage(p: AuditPageProps) {
  const t = CT[p.locale];
  const f = p.filters;
  const keep = { entity: f.entity, entityId: f.entityId, actor: f.actor, action: f.action, from: f.from, to: f.to };
  return (
    <ConsoleLayout {...p} title={t.audit}>
      <form method="get" action="/app/console/audit" class="filters">
        <p>
          <label for="entity">{t.entityKind}</label>
          <select id="entity" name="entity">
            <option value="">{t.any}</option>
            {p.entities.map((e) => (
              <option value={e} selected={f.entity === e}>
                {e}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="entityId">{t.entityId}</label>
          <input id="entityId" name="entityId" value={f.entityId} maxLength={254} />
        </p>
        <p>
          <label for="actor">{t.actor}</label>
          <input id="actor" name="actor" type="search" value={f.actor} maxLength={254} />
        </p>
        <p>
          <label for="action">{t.action}</label>
          <select id="action" name="action">
            <option value="">{t.any}</option>
            {p.actions.map((a) => (
              <option value={a} selected={f.action === a}>
                {a}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="from">{t.from}</label>
          <input id="from" name="from" type="date" value={f.from} />
        </p>
        <p>
          <label for="to">{t.to}</label>
          <input id="to" name="to" type="date" value={f.to} />
        </p>
        <p>
          <button type="submit">{t.filter}</button> <a href="/app/console/audit">{t.reset}</a>
        </p>
      </form>
      <AuditTable locale={p.locale} items={p.items} caption={t.audit} />
      <nav class="pager" aria-label={t.audit}>
        {f.cursor ? <a href={`/app/console/audit${query(keep)}`}>{t.first}</a> : null}
        {p.nextCursor ? (
          <a href={`/app/console/audit${query({ ...keep, cursor: p.nextCursor })}`} rel="next">
            {t.next}
          </a>
        ) : null}
      </nav>
    </ConsoleLayout>
  );
}

export interface SchedulesPageProps extends Chrome {
  notice?: ConsoleNotice | null;
  schedules: ScheduleView[];
}

export function SchedulesPage(p: SchedulesPageProps) {
  const t = CT[p.locale];
  const at = (iso: string) => formatRomeDateTime(Date.parse(iso), p.locale);
  return (
    <ConsoleLayout {...p} title={t.schedules} notice={p.notice ?? null}>
      {p.schedules.length === 0 ? <p>{t.none}</p> : null}
      {p.schedules.map((s) => {
        const action = (name: 'pause' | 'unpause' | 'trigger', label: string) => (
          <form method="post" action={`/app/console/schedules/${encodeURIComponent(s.id)}/${name}`}>
            <Csrf user={p.user} />
            <button type="submit" aria-label={`${label}: ${s.id}`}>
              {label}
            </button>
          </form>
        );
        return (
          <section class="card schedule" aria-labelledby={`s-${s.id}`}>
            <h2 id={`s-${s.id}`}>{s.id}</h2>
            <p>{s.description}</p>
            <p>
              <strong>{t.status}:</strong> {s.paused ? t.paused : t.running}
              {s.note ? (
                <>
                  {' '}
                  · {t.note}: {s.note}
                </>
              ) : null}
            </p>
            <h3>{t.nextRuns}</h3>
            {s.nextRuns.length === 0 ? (
              <p>{t.noRuns}</p>
            ) : (
              <ul>
                {s.nextRuns.map((r, i) => (
                  <li>
                    <time dateTime={r}>{at(r)}</time>
                    {s.nextRunNotes[i] ? <p class="note">{s.nextRunNotes[i]![p.locale]}</p> : null}
                  </li>
                ))}
              </ul>
            )}
            <h3>{t.recentRuns}</h3>
            {s.recentRuns.length === 0 ? (
              <p>{t.noRuns}</p>
            ) : (
              <ul>
                {s.recentRuns.map((r) => (
                  <li>
                    <time dateTime={r}>{at(r)}</time>
                  </li>
                ))}
              </ul>
            )}
            <div class="actions">
              {s.paused ? action('unpause', t.resume) : action('pause', t.pause)}
              {action('trigger', t.trigger)}
            </div>
          </section>
        );
      })}
    </ConsoleLayout>
  );
}

export interface FundingPageProps extends Chrome, FundingConsoleData {
  notice?: ConsoleNotice | null;
}

export function FundingPage(p: FundingPageProps) {
  const t = CT[p.locale];
  const eur = (c: number) => formatEuro(c, p.locale);
  const l = p.ledger;
  return (
    <ConsoleLayout {...p} title={t.funding} notice={p.notice ?? null}>
      <p>
        {t.reportLinks}: <a href={`/reports/funding?format=html&lang=${p.locale}`}>HTML/PDF</a> ·{' '}
        <a href="/reports/funding?format=csv">CSV</a>
      </p>
      <h2>{t.ledger}</h2>
      <dl class="meta">
        <dt>{t.allocated}</dt>
        <dd class="num">{eur(l.allocatedCents)}</dd>
        <dt>{t.granted}</dt>
        <dd class="num">{eur(p.grantedCents)}</dd>
        <dt>{t.remaining}</dt>
        <dd class="num" id="remaining">
          {eur(l.remainingCents)}
        </dd>
        <dt>{t.unfunded}</dt>
        <dd class="num">{eur(p.unfundedCents)}</dd>
      </dl>

      <section aria-labelledby="alloc-h">
        <h2 id="alloc-h">{t.allocate}</h2>
        <p class="muted" id="alloc-help">
          {t.allocateHelp(eur(l.remainingCents))}
        </p>
        <form method="post" action="/app/console/funding/allocate" class="inline" aria-describedby="alloc-help">
          <Csrf user={p.user} />
          <input type="hidden" name="expectedRemainingCents" value={String(l.remainingCents)} />
          <label for="amount">{t.amount}</label>
          <input id="amount" name="amount" inputMode="decimal" required maxLength={20} />
          <button type="submit">{t.allocate}</button>
        </form>
      </section>

      {l.allocations.length > 0 ? (
        <table class="responsive">
          <caption>{t.allocations}</caption>
          <thead>
            <tr>
              <th scope="col">{t.when}</th>
              <th scope="col">{t.added}</th>
              <th scope="col">{t.carried}</th>
              <th scope="col">{t.granted}</th>
              <th scope="col">{t.remaining}</th>
              <th scope="col">{t.fundedProjects}</th>
            </tr>
          </thead>
          <tbody>
            {l.allocations.map((a) => (
              <tr>
                <td data-label={t.when}>{formatRomeDateTime(Date.parse(a.at), p.locale)}</td>
                <td data-label={t.added} class="num">
                  {eur(a.addedCents)}
                </td>
                <td data-label={t.carried} class="num">
                  {eur(a.carriedCents)}
                </td>
                <td data-label={t.granted} class="num">
                  {eur(a.grantedCents)}
                </td>
                <td data-label={t.remaining} class="num">
                  {eur(a.remainingCents)}
                </td>
                <td data-label={t.fundedProjects}>{a.funded.join(', ') || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2>{t.ranking}</h2>
      {p.ranking.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <table class="responsive ranking">
          <caption class="visually-hidden">{t.ranking}</caption>
          <thead>
            <tr>
              <th scope="col">{t.rank}</th>
              <th scope="col">{t.code}</th>
              <th scope="col">{t.title}</th>
              <th scope="col">{t.leadBody}</th>
              <th scope="col">{t.province}</th>
              <th scope="col">{t.grant}</th>
              <th scope="col">{t.standing}</th>
            </tr>
          </thead>
          <tbody>
            {p.ranking.map((r) => (
              <tr class={`standing-${r.standing}`}>
                <td data-label={t.rank} class="num">
                  {r.project.rank}
                </td>
                <td data-label={t.code}>{r.project.code}</td>
                <th scope="row" data-label={t.title}>
                  {r.project.title}
                </th>
                <td data-label={t.leadBody}>{r.project.leadBody}</td>
                <td data-label={t.province}>{r.project.provinceCode}</td>
                <td data-label={t.grant} class="num">
                  {eur(r.project.requestedGrantCents)}
                </td>
                <td data-label={t.standing}>{t.standings[r.standing]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <section aria-labelledby="import-h">
        <h2 id="import-h">{t.import}</h2>
        <p class="muted" id="import-help">
          {t.importHelp}
        </p>
        <form
          method="post"
          action={`/app/console/funding/preview?csrf_token=${encodeURIComponent(p.user.csrf)}`}
          enctype="multipart/form-data"
          class="inline"
          aria-describedby="import-help"
        >
          <Csrf user={p.user} />
          <label for="file">{t.file}</label>
          <input id="file" name="file" type="file" accept=".csv,text/csv" required />
          <button type="submit">{t.preview}</button>
        </form>
      </section>
    </ConsoleLayout>
  );
}

export interface FundingPreviewPageProps extends Chrome {
  preview: FundingImportPreview;
  /** The file's text, carried by the confirmation so that exactly it is written. */
  text: string;
}

export function FundingPreviewPage(p: FundingPreviewPageProps) {
  const t = CT[p.locale];
  const pv = p.preview;
  const errorCount = pv.fileErrors.length + pv.rows.reduce((n, r) => n + r.errors.length, 0);
  const ok = errorCount === 0 && pv.projects.length > 0;
  return (
    <ConsoleLayout
      {...p}
      title={t.previewTitle}
      notice={
        ok ? { kind: 'ok', text: t.previewOk(pv.projects.length) } : { kind: 'err', text: t.previewBad(errorCount) }
      }
    >
      {pv.fileErrors.length > 0 ? (
        <>
          <h2>{t.fileErrors}</h2>
          <ul class="errors">
            {pv.fileErrors.map((e) => (
              <li>
                {t.line} {e.line}
                {e.column ? ` (${e.column})` : ''}: {e.message[p.locale]}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {pv.rows.length > 0 ? (
        <table class="responsive preview">
          <caption>{t.previewTitle}</caption>
          <thead>
            <tr>
              <th scope="col">{t.line}</th>
              {FUNDING_CSV_COLUMNS.map((c) => (
                <th scope="col">{c}</th>
              ))}
              <th scope="col">{t.errors}</th>
            </tr>
          </thead>
          <tbody>
            {pv.rows.map((r) => {
              const code = r.values[0] ?? '';
              const change = pv.changes[code];
              return (
                <tr class={r.errors.length ? 'row-error' : 'row-ok'}>
                  <th scope="row" data-label={t.line} class="num">
                    {r.line}
                  </th>
                  {FUNDING_CSV_COLUMNS.map((c, i) => (
                    <td data-label={c}>{r.values[i] ?? ''}</td>
                  ))}
                  <td data-label={t.errors}>
                    {r.errors.length === 0 ? (
                      <span>
                        {t.rowOk}
                        {change
                          ? ` · ${t.change[change.kind]}${change.fields.length ? `: ${change.fields.join(', ')}` : ''}`
                          : ''}
                      </span>
                    ) : (
                      <ul class="errors">
                        {r.errors.map((e) => (
                          <li>
                            {e.column ? <code>{e.column}</code> : null} {e.message[p.locale]}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {ok ? (
        <form method="post" action="/app/console/funding/import">
          <Csrf user={p.user} />
          <input type="hidden" name="digest" value={pv.digest} />
          {/* Base64: a form would turn the file's line breaks into CRLF and change what was previewed. */}
          <input type="hidden" name="csv" value={Buffer.from(p.text, 'utf8').toString('base64')} />
          <button type="submit">{t.confirm}</button>
        </form>
      ) : null}
      <p>
        <a href="/app/console/funding">{t.back}</a>
      </p>
    </ConsoleLayout>
  );
}
