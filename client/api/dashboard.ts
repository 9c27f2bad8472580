/**
 * The dashboard: server-rendered HTML, Italian first with an English switch, usable with a
 * keyboard and on a phone. A consultant's work list (overdue, due today, this week) with one-click
 * completion and evidence entry; an enrollment page with its timeline; a coordinator's network
 * overview with the milestone chart; the mail catcher in the embedded stack. Forms carry a token
 * tied to the session (CSRF) on top of the SameSite cookie.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dialectOfDb } from '../../activities/db';
import { enrollmentTimeline, milestoneReport } from '../../activities/reports/milestones';
import { milestoneTable, statusChart } from '../../activities/reports/render-milestones';
import { esc } from '../../activities/reports/page';
import { formatRomeDateTime, localDateOf, romeToEpochMs } from '../../domain/calendar';
import { findPathwayVersion, pathwayAndStepNames } from '../../domain/catalogue-history';
import { isDomainError } from '../../domain/errors';
import { ATS_NETWORKS } from '../../domain/territory';
import { enrollmentScope, type Principal } from '../auth/principal';
import { SESSION_HOURS, signIn, signOut } from '../auth/users';
import { cookie, LANG_COOKIE, parseCookies, SESSION_COOKIE, sessionCookie } from './cookies';
import {
  csrfFailed,
  hasValidLoginCsrf,
  hasValidSessionCsrf,
  LOGIN_CSRF_COOKIE,
  loginCsrf,
  sessionCsrfToken,
} from './csrf';
import { safeNext } from './safe-next';
import { pickLocale } from './errors';
import type { AnyFastify } from './registry';
import type { ApiDeps } from './server';
import { performAction, visibleEnrollment } from './routes-enrollments';
import { ACCOUNT_TEXT, registerAccountPages } from './account-pages';
import { TooManyAttemptsError } from '../auth/throttle';

type Locale = 'it' | 'en';
const DAY = 86_400_000;

/** The exact contents of the pages' <style> element: the Content-Security-Policy allows it by hash. */
export const DASHBOARD_CSS = `*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;line-height:1.45;background:#fafafa}
a{color:#005a2b}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
header{background:#00843D;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header a,header button{color:#fff}
header .brand{font-weight:700;margin-right:auto}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}
main{padding:1rem;max-width:72rem;margin:auto}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;background:#fff}
caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{border-bottom:1px solid #ddd;padding:.5rem;text-align:left;vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums}
.overdue{color:#a61b1b;font-weight:600}
form.inline{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
label{font-weight:600}
input,button,select{font:inherit;padding:.45rem .6rem;border:1px solid #888;border-radius:4px}
button{background:#00843D;color:#fff;border-color:#00843D;cursor:pointer}
button.link{background:none;border:none;text-decoration:underline;padding:0}
:focus-visible{outline:3px solid #f5b400;outline-offset:2px}
.flash{padding:.75rem 1rem;border-radius:4px;margin:1rem 0}
.flash.ok{background:#e3f4ea;border:1px solid #00843D}.flash.err{background:#fdeaea;border:1px solid #a61b1b}
ol.timeline{list-style:none;padding:0;border-left:3px solid #00843D}
ol.timeline li{margin:0 0 .9rem 0;padding-left:1rem}
ol.timeline time{display:block;color:#555;font-size:.9rem}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1rem;margin:1rem 0}
.login{max-width:26rem}.login input{width:100%}
.legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}
@media (max-width:640px){
table.responsive thead{display:none}
table.responsive tr{display:block;border-bottom:2px solid #ddd;padding:.5rem 0}
table.responsive td,table.responsive th{display:block;border:none;padding:.2rem .5rem}
table.responsive td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
}`;

const T = {
  it: {
    brand: 'Regione Lombardia · Conciliazione vita-lavoro',
    work: 'Attività',
    network: 'Rete',
    mail: 'Posta (catcher)',
    logout: 'Esci',
    skip: 'Vai al contenuto',
    signIn: 'Accedi',
    email: 'Email',
    password: 'Password',
    wrong: 'Email o password non corretti.',
    expiredForm: 'Il modulo di accesso è scaduto o non è stato aperto da questo sito: riprova.',
    worklist: 'Le mie attività',
    overdue: 'In ritardo',
    today: 'In scadenza oggi',
    week: 'Questa settimana',
    later: 'Più avanti',
    none: 'Nulla da mostrare.',
    company: 'Impresa',
    pathway: 'Percorso',
    step: 'Attività',
    due: 'Scadenza',
    action: 'Azione',
    evidence: 'Evidenza (protocollo, documento)',
    complete: 'Completa',
    completed: 'Attività completata.',
    timeline: 'Cronologia',
    steps: 'Attività del percorso',
    status: 'Stato',
    consultant: 'Consulente',
    by: 'da',
    late: 'in ritardo',
    overview: 'Andamento della rete',
    lang: 'English',
  },
  en: {
    brand: 'Regione Lombardia · Work-life balance',
    work: 'Work',
    network: 'Network',
    mail: 'Mail (catcher)',
    logout: 'Sign out',
    skip: 'Skip to content',
    signIn: 'Sign in',
    email: 'Email',
    password: 'Password',
    wrong: 'Wrong email or password.',
    expiredForm: 'The sign-in form expired or was not opened from this site: please try again.',
    worklist: 'My work',
    overdue: 'Overdue',
    today: 'Due today',
    week: 'This week',
    later: 'Later',
    none: 'Nothing to show.',
    company: 'Company',
    pathway: 'Pathway',
    step: 'Step',
    due: 'Due',
    action: 'Action',
    evidence: 'Evidence (reference, document)',
    complete: 'Complete',
    completed: 'Step completed.',
    timeline: 'Timeline',
    steps: 'Pathway steps',
    status: 'Status',
    consultant: 'Consultant',
    by: 'by',
    late: 'late',
    overview: 'Network overview',
    lang: 'Italiano',
  },
} as const;

const STEP_STATUS = {
  it: { done: 'completata', active: 'in corso', pending: 'da iniziare' },
  en: { done: 'done', active: 'in progress', pending: 'not started' },
} as const;

const ENROLLMENT_STATUS = {
  it: { active: 'in corso', completed: 'concluso', withdrawn: 'ritirato', expired: 'scaduto' },
  en: { active: 'active', completed: 'completed', withdrawn: 'withdrawn', expired: 'expired' },
} as const;

const MILESTONE_LABEL: Record<string, { it: string; en: string }> = {
  enrolled: { it: 'Iscrizione', en: 'Enrolled' },
  step_completed: { it: 'Attività completata', en: 'Step completed' },
  step_reopened: { it: 'Attività riaperta', en: 'Step reopened' },
  due_extended: { it: 'Scadenza prorogata', en: 'Due date extended' },
  consultant_assigned: { it: 'Consulente assegnato', en: 'Consultant assigned' },
  participation_confirmed: { it: 'Partecipazione confermata', en: 'Participation confirmed' },
  programme_end_changed: { it: 'Chiusura del programma modificata', en: 'Programme end changed' },
  completed: { it: 'Percorso concluso', en: 'Pathway completed' },
  expired: { it: 'Percorso scaduto', en: 'Pathway expired' },
  withdrawn: { it: 'Ritiro', en: 'Withdrawn' },
};

function localeOf(req: FastifyRequest, p: Principal | null): Locale {
  const chosen = parseCookies(req.headers.cookie)[LANG_COOKIE];
  if (chosen === 'it' || chosen === 'en') return chosen;
  return p?.locale ?? pickLocale(req.headers['accept-language']);
}

function layout(opts: {
  locale: Locale;
  title: string;
  principal: Principal | null;
  req: FastifyRequest;
  body: string;
  hasMail: boolean;
}): string {
  const t = T[opts.locale];
  const p = opts.principal;
  const other = opts.locale === 'it' ? 'en' : 'it';
  const here = opts.req.url.split('?')[0]!;
  const nav = p
    ? `<nav aria-label="${esc(t.brand)}"><ul>
<li><a href="/app">${t.work}</a></li>
${p.role === 'admin' || p.role === 'coordinator' ? `<li><a href="/app/network">${t.network}</a></li>` : ''}
${opts.hasMail && p.role === 'admin' ? `<li><a href="/mail">${t.mail}</a></li>` : ''}
<li><a href="/app/password">${ACCOUNT_TEXT[opts.locale].nav}</a></li>
<li><a href="/app/lang?to=${other}&amp;next=${encodeURIComponent(here)}" lang="${other}">${t.lang}</a></li>
<li><form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="${sessionCsrfToken(opts.req)}"><button class="link" type="submit">${t.logout} (${esc(p.name)})</button></form></li>
</ul></nav>`
    : `<nav><ul><li><a href="/app/lang?to=${other}&amp;next=${encodeURIComponent(here)}" lang="${other}">${t.lang}</a></li></ul></nav>`;
  return `<!doctype html>
<html lang="${opts.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(opts.title)} · conciliaflow</title>
<style>${DASHBOARD_CSS}</style>
</head>
<body>
<a class="skip" href="#main">${t.skip}</a>
<header><span class="brand">${esc(t.brand)}</span>${nav}</header>
<main id="main">
<h1>${esc(opts.title)}</h1>
${opts.body}
</main>
</body>
</html>`;
}

export function registerDashboard(
  app: AnyFastify,
  deps: ApiDeps,
  authenticate: (req: FastifyRequest) => Promise<Principal | null>,
): void {
  const { db, service } = deps;
  const hasMail = Boolean(deps.mailCatcher);
  const page = (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal | null,
    title: string,
    body: string,
    status = 200,
  ) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(layout({ locale: localeOf(req, p), title, principal: p, req, body, hasMail }));

  /** The signed-in user, or a redirect to the sign-in page that comes back here afterwards. */
  const requireUser = async (req: FastifyRequest, reply: FastifyReply): Promise<Principal | null> => {
    const p = await authenticate(req);
    if (!p) {
      await reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
      return null;
    }
    return p;
  };
  const secureCookies = (deps.publicUrl ?? '').startsWith('https:');

  app.get('/', async (_req, reply) => reply.redirect('/app'));

  app.get<{ Querystring: { to?: string; next?: string } }>('/app/lang', async (req, reply) => {
    const to = req.query.to === 'en' ? 'en' : 'it';
    return reply
      .header('set-cookie', cookie(LANG_COOKIE, to, { maxAgeSeconds: 365 * 86400, httpOnly: false }))
      .redirect(safeNext(req.query.next));
  });

  /** The sign-in page, with its pre-session CSRF token (and the cookie it pairs with, if new). */
  const loginPage = (req: FastifyRequest, reply: FastifyReply, next: string, error?: string, status = 200) => {
    const locale = localeOf(req, null);
    const csrf = loginCsrf(req, deps.preferencesSecret, secureCookies);
    if (csrf.setCookie) reply.header('set-cookie', csrf.setCookie);
    return page(req, reply, null, T[locale].signIn, loginForm(locale, next, csrf.token, error), status);
  };

  const loginForm = (locale: Locale, next: string, csrf: string, error?: string) => {
    const t = T[locale];
    return `${error ? `<p class="flash err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/login" class="card login">
<input type="hidden" name="csrf" value="${esc(csrf)}"><input type="hidden" name="next" value="${esc(next)}">
<p><label for="email">${t.email}</label><br><input id="email" name="email" type="email" autocomplete="username" required></p>
<p><label for="password">${t.password}</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">${t.signIn}</button></p>
</form>`;
  };

  app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) =>
    loginPage(req, reply, safeNext(req.query.next)),
  );

  app.post<{ Body: Record<string, string> }>('/login', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const locale = localeOf(req, null);
    // Checked before the password: a forged sign-in is refused without trying the credentials.
    if (!hasValidLoginCsrf(req, deps.preferencesSecret)) {
      req.log.info('dashboard sign-in refused: missing or wrong CSRF token');
      return loginPage(req, reply, safeNext(body.next), T[locale].expiredForm, 403);
    }
    let result: Awaited<ReturnType<typeof signIn>>;
    try {
      result = await signIn(db, String(body.email ?? '').slice(0, 254), String(body.password ?? '').slice(0, 200), {
        address: req.ip,
        throttle: deps.signInThrottle,
      });
    } catch (err) {
      if (!(err instanceof TooManyAttemptsError)) throw err;
      req.log.warn({ retryAfterSeconds: err.retryAfterSeconds }, 'dashboard sign-in throttled');
      reply.header('retry-after', String(err.retryAfterSeconds));
      return loginPage(req, reply, safeNext(body.next), err.messages[locale], 429);
    }
    if (!result) {
      req.log.info('dashboard sign-in refused');
      return loginPage(req, reply, safeNext(body.next), T[locale].wrong, 401);
    }
    return reply
      .header('set-cookie', [
        sessionCookie(result.token, SESSION_HOURS * 3600, deps.publicUrl),
        cookie(LOGIN_CSRF_COOKIE, '', { maxAgeSeconds: 0 }),
      ])
      .redirect(safeNext(body.next), 303);
  });

  // A signed-in browser only gets here with a valid CSRF token (the server's hook refuses the
  // others with 403, cookie and session untouched); the session row is then deleted.
  app.post<{ Body: Record<string, string> }>('/logout', async (req, reply) => {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const p = await authenticate(req);
    if (token && p?.via === 'session' && hasValidSessionCsrf(req)) await signOut(db, token);
    return reply.header('set-cookie', cookie(SESSION_COOKIE, '', { maxAgeSeconds: 0 })).redirect('/login', 303);
  });

  const completeForm = (req: FastifyRequest, locale: Locale, id: string, stepKey: string, back: string) => {
    const t = T[locale];
    const fid = `ev-${id}-${stepKey}`;
    return `<form method="post" action="/app/enrollments/${esc(id)}/steps/${esc(stepKey)}/complete" class="inline">
<input type="hidden" name="csrf" value="${sessionCsrfToken(req)}"><input type="hidden" name="back" value="${esc(back)}">
<label for="${esc(fid)}">${t.evidence}</label><input id="${esc(fid)}" name="evidence" maxlength="2000">
<button type="submit">${t.complete}</button></form>`;
  };

  app.get<{ Querystring: { done?: string; error?: string } }>('/app', async (req, reply) => {
    const p = await requireUser(req, reply);
    if (!p) return reply;
    const locale = localeOf(req, p);
    const t = T[locale];
    const now = Date.now();
    const today = localDateOf(now);
    const endOfToday = romeToEpochMs(today.year, today.month, today.day, 23, 59);
    const rows = await db.enrollment.findMany({
      where: { ...enrollmentScope(p), status: 'active' },
      include: { company: true },
      orderBy: [{ currentDueAt: 'asc' }, { id: 'asc' }],
      take: 500,
    });
    const groups: [string, typeof rows][] = [
      [t.overdue, rows.filter((e) => e.currentDueAt && e.currentDueAt.getTime() < now)],
      [
        t.today,
        rows.filter((e) => e.currentDueAt && e.currentDueAt.getTime() >= now && e.currentDueAt.getTime() <= endOfToday),
      ],
      [
        t.week,
        rows.filter(
          (e) => e.currentDueAt && e.currentDueAt.getTime() > endOfToday && e.currentDueAt.getTime() <= now + 7 * DAY,
        ),
      ],
      [t.later, rows.filter((e) => !e.currentDueAt || e.currentDueAt.getTime() > now + 7 * DAY)],
    ];
    const section = ([title, items]: [string, typeof rows], i: number) => {
      const id = `g${i}`;
      const body =
        items.length === 0
          ? `<p>${t.none}</p>`
          : `<table class="responsive" aria-labelledby="${id}"><thead><tr><th scope="col">${t.company}</th><th scope="col">${t.pathway}</th><th scope="col">${t.step}</th><th scope="col">${t.due}</th><th scope="col">${t.action}</th></tr></thead><tbody>
${items
  .map((e) => {
    const n = pathwayAndStepNames(e.kind, e.catalogueVersion, e.currentStep, locale);
    const due = e.currentDueAt ? formatRomeDateTime(e.currentDueAt.getTime(), locale) : '—';
    return `<tr><th scope="row" data-label="${t.company}"><a href="/app/enrollments/${esc(e.id)}">${esc(e.company.name)}</a></th><td data-label="${t.pathway}">${esc(n.pathwayName)}</td><td data-label="${t.step}">${esc(n.stepName)}</td><td data-label="${t.due}"${i === 0 ? ' class="overdue"' : ''}>${esc(due)}</td><td data-label="${t.action}">${e.currentStep ? completeForm(req, locale, e.id, e.currentStep, '/app') : ''}</td></tr>`;
  })
  .join('\n')}
</tbody></table>`;
      return `<section><h2 id="${id}">${esc(title)} (${items.length})</h2>${body}</section>`;
    };
    const flash = req.query.done
      ? `<p class="flash ok" role="status">${t.completed}</p>`
      : req.query.error
        ? `<p class="flash err" role="alert">${esc(req.query.error)}</p>`
        : '';
    return page(req, reply, p, t.worklist, flash + groups.map(section).join('\n'));
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string; error?: string } }>(
    '/app/enrollments/:id',
    async (req, reply) => {
      const p = await requireUser(req, reply);
      if (!p) return reply;
      const locale = localeOf(req, p);
      const t = T[locale];
      try {
        await visibleEnrollment(db, p, req.params.id);
      } catch (err) {
        if (isDomainError(err)) return page(req, reply, p, '404', `<p>${esc(err.messages[locale])}</p>`, 404);
        throw err;
      }
      const e = await service.getEnrollment(req.params.id);
      const timeline = await enrollmentTimeline(db, e.id);
      const def = findPathwayVersion(e.kind, e.catalogueVersion);
      const when = (iso: string | null) => (iso ? formatRomeDateTime(Date.parse(iso), locale) : '—');
      const steps = e.pathway?.steps ?? [];
      const here = `/app/enrollments/${e.id}`;
      const stepRows = steps
        .map(
          (s) =>
            `<tr><th scope="row" data-label="${t.step}">${esc(s.name[locale])}</th><td data-label="${t.status}">${esc(STEP_STATUS[locale][s.status])}</td><td data-label="${t.due}">${esc(when(s.dueAt))}</td><td data-label="${t.action}">${s.status === 'active' && e.status === 'active' ? completeForm(req, locale, e.id, s.key, here) : esc(when(s.completedAt))}</td></tr>`,
        )
        .join('\n');
      const items = timeline
        .map((m) => {
          const label = MILESTONE_LABEL[m.type]?.[locale] ?? m.type;
          const stepName = def?.steps.find((s) => s.key === m.stepKey)?.name[locale];
          return `<li><time datetime="${esc(m.occurredAt)}">${esc(when(m.occurredAt))}</time><strong>${esc(label)}</strong>${stepName ? `: ${esc(stepName)}` : ''} <span>${t.by} ${esc(m.actor)}</span>${m.onTime === false ? ` <span class="overdue">(${t.late})</span>` : ''}${m.evidence ? `<br><small>${t.evidence}: ${esc(m.evidence)}</small>` : ''}</li>`;
        })
        .join('\n');
      const flash = req.query.done
        ? `<p class="flash ok" role="status">${t.completed}</p>`
        : req.query.error
          ? `<p class="flash err" role="alert">${esc(req.query.error)}</p>`
          : '';
      const body = `${flash}
<p>${t.pathway}: <strong>${esc(def?.name[locale] ?? e.kind)}</strong> · ${t.status}: <strong>${esc(ENROLLMENT_STATUS[locale][e.status as keyof (typeof ENROLLMENT_STATUS)['it']] ?? e.status)}</strong> · ${t.consultant}: ${esc(e.consultant.name)}</p>
<table class="responsive"><caption>${t.steps}</caption><thead><tr><th scope="col">${t.step}</th><th scope="col">${t.status}</th><th scope="col">${t.due}</th><th scope="col">${t.action}</th></tr></thead><tbody>
${stepRows}
</tbody></table>
<h2 id="timeline">${t.timeline}</h2>
<ol class="timeline" aria-labelledby="timeline">
${items}
</ol>`;
      return page(req, reply, p, e.company.name, body);
    },
  );

  app.post<{ Params: { id: string; stepKey: string }; Body: Record<string, string> }>(
    '/app/enrollments/:id/steps/:stepKey/complete',
    async (req, reply) => {
      const p = await requireUser(req, reply);
      if (!p) return reply;
      const body = (req.body ?? {}) as Record<string, string>;
      const locale = localeOf(req, p);
      const back = safeNext(body.back);
      const withQuery = (q: string) => `${back}${back.includes('?') ? '&' : '?'}${q}`;
      if (!hasValidSessionCsrf(req)) throw csrfFailed();
      try {
        const evidence = String(body.evidence ?? '').trim();
        await performAction(deps, p, req.params.id, {
          auditAction: 'step.complete',
          stepKey: req.params.stepKey,
          body: evidence ? { evidence } : {},
          run: (id, b) => service.completeStep(id, b),
        });
        return reply.redirect(withQuery('done=1'), 303);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        return reply.redirect(withQuery(`error=${encodeURIComponent(err.messages[locale])}`), 303);
      }
    },
  );

  app.get('/app/network', async (req, reply) => {
    const p = await requireUser(req, reply);
    if (!p) return reply;
    const locale = localeOf(req, p);
    const t = T[locale];
    if (p.role !== 'admin' && p.role !== 'coordinator')
      return page(
        req,
        reply,
        p,
        t.overview,
        `<p>${locale === 'it' ? 'Pagina riservata ai coordinatori.' : 'For coordinators only.'}</p>`,
        403,
      );
    const report = await milestoneReport(db, deps.dialect ?? dialectOfDb(db), {
      by: p.role === 'coordinator' ? 'kind' : 'network',
      ...(p.role === 'coordinator' ? { atsCode: p.atsCode! } : {}),
      asOf: Date.now(),
    });
    const networkName = ATS_NETWORKS.find((a) => a.code === p.atsCode)?.name ?? 'Regione Lombardia';
    const title = `${t.overview}: ${networkName}`;
    const body = `<p><a href="/reports/milestones?format=csv">CSV</a> · <a href="/reports/milestones?format=html">HTML/PDF</a></p>
${statusChart(report, locale)}
${milestoneTable(report, locale, title)}`;
    return page(req, reply, p, title, body);
  });

  // The server-wide check has already refused a session request without its token; the page checks again.
  registerAccountPages(app, deps, {
    requireUser,
    page,
    checkCsrf: (req) => hasValidSessionCsrf(req),
    csrfToken: sessionCsrfToken,
    localeOf,
  });
}
