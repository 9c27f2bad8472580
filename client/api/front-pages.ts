/**
 * The front door's pages (client/web/views/front.tsx): public pages in Italian first with the
 * English switch (`?lang=en`, or the language link, kept in a cookie without any session), the
 * self-check, the enrollment request and its confirmation, the pages the account emails link to,
 * and the coordinators' request pages. Every public form is throttled per address (and per email
 * where it has one) and carries a honeypot field; links that cannot be used answer 410 (404 for an
 * unknown one) with a page that says what to do next.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CATALOGUE, type PathwayDefinition } from '../../domain/catalogue';
import { localDateOf, localDateToIso } from '../../domain/calendar';
import { DomainError as DomainErrorClass, isDomainError, type DomainError } from '../../domain/errors';
import { enrollableProgramme, type Edition } from '../../domain/programmes';
import { ATS_NETWORKS } from '../../domain/territory';
import type { Principal } from '../auth/principal';
import { minPasswordLength } from '../auth/password-policy';
import { checkEligibility, type EligibilityCheckInput } from '../front/eligibility-check';
import { FormThrottledError } from '../front/form-throttle';
import {
  confirmRequest,
  consultantsFor,
  createRequest,
  decideRequest,
  findRequest,
  listRequests,
  requestOfToken,
  requestView,
  type RequestView,
} from '../front/requests';
import { acceptInvitation, completePasswordReset, LinkError, openLink, sendPasswordReset } from '../invitations';
import {
  CheckPage,
  ConfirmRequestPage,
  EditionPage,
  ForgotPasswordPage,
  HomePage,
  NoticePage,
  RequestDetailPage,
  RequestFormPage,
  RequestsPage,
  SetPasswordPage,
  type Choice,
  type EditionSummary,
  type PathwayInfo,
} from '../web/views/front';
import { FT } from '../web/views/texts-front';
import type { Locale } from '../web/views/texts';
import type { NavUser } from '../web/views/layout';
import { cookie, LANG_COOKIE, parseCookies } from './cookies';
import { sessionCsrfToken } from './csrf';
import { sendPage } from './dashboard';
import { pickLocale } from './errors';
import type { AnyFastify } from './registry';
import { baseUrlOf, throttled } from './routes-front';
import type { ApiDeps } from './server';

type Form = Record<string, string>;

const BAD_NUMBERS = {
  it: 'Numeri non validi: personale, fatturato e bilancio si scrivono in cifre (es. 12,5 oppure 1.500.000).',
  en: 'Invalid numbers: staff, turnover and balance sheet are written in digits (e.g. 12.5 or 1500000).',
};

const str = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 2000) : '');
function formOf(body: unknown): Form {
  const out: Form = {};
  if (body && typeof body === 'object')
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[k] = str(v);
  return out;
}
function num(s: string | undefined): number | undefined {
  const t = (s ?? '').trim().replace(/[\s€]/g, '');
  if (!t) return undefined;
  // Italian "1.234.567,89" and "1.500.000", or plain "1234567.89".
  const normal = t.includes(',')
    ? t.replace(/\./g, '').replace(',', '.')
    : /^\d{1,3}(\.\d{3})+$/.test(t)
      ? t.replace(/\./g, '')
      : t;
  return /^\d+(\.\d+)?$/.test(normal) ? Number(normal) : NaN;
}
const euroCents = (s: string | undefined) => {
  const n = num(s);
  return n === undefined ? undefined : Number.isNaN(n) ? NaN : Math.round(n * 100);
};
const yesNo = (s: string | undefined) => (s === 'yes' ? true : s === 'no' ? false : undefined);
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The firm's facts as the check and the request read them, from the form's fields. */
function firmOf(f: Form) {
  return defined({
    registered: f.registrata !== 'no',
    province: (f.provincia ?? '').trim(),
    city: (f.comune ?? '').trim() || undefined,
    sector: f.settore || 'servizi',
    staff: num(f.ula) ?? 0,
    peopleEmployed: num(f.occupati),
    turnoverCents: euroCents(f.fatturato),
    balanceSheetCents: euroCents(f.bilancio),
    atecoCode: (f.ateco ?? '').trim() || undefined,
    craftRegistered: yesNo(f.artigiana),
    isCareCompany: yesNo(f.cura),
  });
}

const FIELD_OF_PATH: Record<string, keyof (typeof FT)['it']> = {
  'company.name': 'companyName',
  'company.vatNumber': 'vat',
  'company.taxCode': 'taxCode',
  'company.province': 'province',
  'company.city': 'city',
  'company.staff': 'staff',
  'company.peopleEmployed': 'peopleEmployed',
  'company.turnoverCents': 'turnover',
  'company.balanceSheetCents': 'balanceSheet',
  'company.atecoCode': 'ateco',
  'declarant.name': 'declarantName',
  'declarant.email': 'declarantEmail',
  privacyAcknowledged: 'privacyAck',
};

/** A refusal's per-field problems in the page's words. */
function problemsOf(err: DomainError, locale: Locale): string[] {
  if (err.code !== 'invalid_request' || !Array.isArray(err.details)) return [];
  const t = FT[locale];
  return (err.details as { path: string; message: string }[]).map((d) => {
    const key = FIELD_OF_PATH[d.path];
    const label = key ? String(t[key]) : d.path.startsWith('participants') ? t.people : d.path;
    const msg = d.message.includes(' / ') ? d.message.split(' / ')[locale === 'it' ? 0 : 1]! : d.message;
    return `${label}: ${msg}`;
  });
}

function describeRules(def: PathwayDefinition, locale: Locale): string[] {
  const t = FT[locale];
  const r = def.eligibility;
  if (!r) return [t.sizeRule(['micro', 'small', 'medium'].map((s) => t.sizes[s]).join(', '))];
  const out: string[] = [];
  out.push(r.anySize ? t.anySize : t.sizeRule(r.sizes.map((s) => t.sizes[s] ?? s).join(', ')));
  if (r.sectors) out.push(t.sectorRule(r.sectors.map((s) => t.sectorNames[s] ?? s).join(', ')));
  if (r.maxStaff !== undefined) out.push(t.maxStaffRule(r.maxStaff));
  if (r.careCompanies) out.push(t.careRule);
  if (r.networks) out.push(t.networksRule);
  if (r.allowsUnregistered) out.push(t.unregisteredRule);
  if (r.audience === 'women-excluded-from-labour-market') out.push(t.womenRule);
  if (r.note) out.push(r.note[locale]);
  return out;
}

export interface FrontPageHelpers {
  authenticate(req: FastifyRequest): Promise<Principal | null>;
}

export function registerFrontPages(app: AnyFastify, deps: ApiDeps, h: FrontPageHelpers): void {
  const { db, service } = deps;
  const hasMail = Boolean(deps.mailCatcher);

  /** ?lang= wins (and is kept in the cookie), then the cookie, the account, the browser. */
  const localeOf = (req: FastifyRequest, reply: FastifyReply, p: Principal | null): Locale => {
    const q = (req.query as { lang?: unknown } | undefined)?.lang;
    if (q === 'it' || q === 'en') {
      reply.header('set-cookie', cookie(LANG_COOKIE, q, { maxAgeSeconds: 365 * 86400, httpOnly: false }));
      return q;
    }
    const chosen = parseCookies(req.headers.cookie)[LANG_COOKIE];
    if (chosen === 'it' || chosen === 'en') return chosen;
    return p?.locale ?? pickLocale(req.headers['accept-language']);
  };
  const pathOf = (req: FastifyRequest) => req.url.split('?')[0]!;
  const navOf = (req: FastifyRequest, p: Principal | null): NavUser | null =>
    p ? { name: p.name, role: p.role, csrf: sessionCsrfToken(req), hasMail } : null;
  /** What every front page needs: locale, path, the header's user and the form token of a session. */
  const chrome = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await h.authenticate(req);
    const user = navOf(req, p);
    return {
      p,
      base: { locale: localeOf(req, reply, p), here: pathOf(req), user },
      csrf: p?.via === 'session' ? sessionCsrfToken(req) : undefined,
    };
  };

  const today = () => localDateToIso(localDateOf(Date.now()));
  /** The editions taking enrollments today, with the pathways each offers. */
  const openEditions = async (): Promise<{ edition: Edition; kinds: string[] }[]> => {
    const { items } = await service.programmes.list();
    const now = today();
    return items
      .map((edition) => ({
        edition,
        kinds: edition.actions.map((a) => a.kind).filter((k) => CATALOGUE[k] && enrollableProgramme(edition, k).ok),
      }))
      .filter(
        (e) =>
          e.kinds.length > 0 &&
          (e.edition.enrollmentClosesOn ?? '') >= now &&
          (e.edition.enrollmentOpensOn ?? e.edition.startsOn ?? '') <= now,
      );
  };
  const summary = (e: Edition, kinds: string[]): EditionSummary => ({
    code: e.code,
    name: e.name,
    demo: e.demo,
    enrollmentClosesOn: e.enrollmentClosesOn ?? '',
    pathways: kinds.length,
  });
  const choices = async (locale: Locale): Promise<{ editions: Choice[]; kinds: Choice[] }> => {
    const open = await openEditions();
    const kinds = [...new Set(open.flatMap((e) => e.kinds))];
    return {
      editions: open.map((e) => ({
        value: e.edition.code,
        label: e.edition.demo ? `${e.edition.name} (demo)` : e.edition.name,
      })),
      kinds: kinds.map((k) => ({ value: k, label: CATALOGUE[k]!.name[locale] })),
    };
  };

  const notice = (
    reply: FastifyReply,
    base: { locale: Locale; here: string; user: NavUser | null },
    title: string,
    text: string,
    status = 200,
    extra: { next?: string; link?: { href: string; label: string } } = {},
  ) => sendPage(reply, NoticePage, { ...base, title, text, ...extra }, status);

  /** The page of a link that cannot be used: what happened and what to do next. */
  const linkPage = (
    reply: FastifyReply,
    base: { locale: Locale; here: string; user: NavUser | null },
    err: LinkError,
    kind: 'request' | 'invite' | 'reset',
  ) => {
    const t = FT[base.locale];
    const href = kind === 'request' ? '/' : kind === 'invite' ? '/login' : '/password/dimenticata';
    return notice(reply, base, t.linkTitle, err.messages[base.locale], err.state === 'unknown' ? 404 : 410, {
      next: t.linkNext[err.state],
      link: { href, label: t.again[kind]! },
    });
  };
  const throttledPage = (
    reply: FastifyReply,
    base: { locale: Locale; here: string; user: NavUser | null },
    err: FormThrottledError,
  ) => notice(reply, base, FT[base.locale].tooManyTitle, err.messages[base.locale], 429);

  app.get('/', async (req, reply) => {
    const c = await chrome(req, reply);
    if (c.p) return reply.redirect('/app');
    const open = await openEditions();
    return sendPage(reply, HomePage, { ...c.base, editions: open.map((e) => summary(e.edition, e.kinds)) });
  });

  app.get<{ Params: { code: string } }>('/edizioni/:code', async (req, reply) => {
    const c = await chrome(req, reply);
    const l = c.base.locale;
    const t = FT[l];
    const found = (await openEditions()).find((e) => e.edition.code === req.params.code);
    if (!found) return notice(reply, c.base, '404', t.notFoundEdition, 404, { link: { href: '/', label: t.back } });
    const { edition, kinds } = found;
    const pathways: PathwayInfo[] = kinds.map((k) => {
      const d = CATALOGUE[k]!;
      return {
        kind: k,
        name: d.name,
        description: d.description,
        steps: d.steps.map((s) => ({ name: s.name, by: s.completedBy, days: s.durationWorkingDays })),
        totalDays: d.steps.reduce((n, s) => n + s.durationWorkingDays, 0),
        rules: describeRules(d, l),
      };
    });
    const networks = edition.atsCodes.map((code) => ATS_NETWORKS.find((a) => a.code === code)?.name ?? code);
    return sendPage(reply, EditionPage, { ...c.base, edition: { ...summary(edition, kinds), networks }, pathways });
  });

  // The self-check: the same answer as POST /eligibility/check, as a page. Nothing is stored.
  const checkValues = (q: { edizione?: unknown; percorso?: unknown }): Form => ({
    edizione: str(q.edizione),
    percorso: str(q.percorso),
    registrata: 'yes',
  });
  app.get<{ Querystring: { edizione?: string; percorso?: string } }>('/verifica', async (req, reply) => {
    const c = await chrome(req, reply);
    return sendPage(reply, CheckPage, {
      ...c.base,
      ...(await choices(c.base.locale)),
      values: checkValues(req.query),
      ...(c.csrf ? { csrf: c.csrf } : {}),
    });
  });
  app.post('/verifica', async (req, reply) => {
    const c = await chrome(req, reply);
    const f = formOf(req.body);
    const opts = await choices(c.base.locale);
    const page = (extra: object, status = 200) =>
      sendPage(
        reply,
        CheckPage,
        { ...c.base, ...opts, values: f, ...(c.csrf ? { csrf: c.csrf } : {}), ...extra },
        status,
      );
    try {
      await throttled(deps, req, reply, 'check');
    } catch (err) {
      if (err instanceof FormThrottledError) return throttledPage(reply, c.base, err);
      throw err;
    }
    const company = firmOf(f);
    const numbers = [company.staff, company.peopleEmployed, company.turnoverCents, company.balanceSheetCents];
    if (numbers.some((n) => n !== undefined && (Number.isNaN(n) || n < 0)))
      return page({ error: BAD_NUMBERS[c.base.locale] }, 400);
    const input = { programme: f.edizione ?? '', kind: f.percorso ?? '', company } as EligibilityCheckInput;
    const answer = checkEligibility(await service.programmes.findEdition(input.programme), input, new Date());
    const requestHref = `/richiesta?edizione=${encodeURIComponent(input.programme)}&percorso=${encodeURIComponent(input.kind)}`;
    return page({ answer: { eligible: answer.eligible, rules: answer.rules, requestHref } });
  });

  // The enrollment request. The honeypot makes a bot's submission look sent, and nothing happens.
  const requestInputOf = (f: Form) => {
    const people = [1, 2, 3]
      .map((n) => ({
        name: (f[`p${n}nome`] ?? '').trim(),
        email: (f[`p${n}email`] ?? '').trim(),
        role: f[`p${n}ruolo`] || 'employee',
      }))
      .filter((p) => p.name || p.email);
    const firm = firmOf(f);
    return {
      programme: f.edizione ?? '',
      kind: f.percorso ?? '',
      company: defined({
        ...firm,
        name: (f.ragione ?? '').trim(),
        vatNumber: firm.registered ? (f.piva ?? '').trim() : undefined,
        taxCode: firm.registered ? undefined : (f.cf ?? '').trim(),
        city: firm.city ?? '',
      }),
      declarant: {
        name: (f.nome ?? '').trim(),
        email: (f.email ?? '').trim(),
        locale: f.lingua === 'en' ? 'en' : 'it',
      },
      participants: people,
      privacyAcknowledged: f.privacy === 'yes',
    };
  };
  const requestForm = async (
    req: FastifyRequest<{ Querystring: { edizione?: string; percorso?: string } }>,
    reply: FastifyReply,
    action: string,
    prefill: Form = {},
  ) => {
    const c = await chrome(req, reply);
    return sendPage(reply, RequestFormPage, {
      ...c.base,
      ...(await choices(c.base.locale)),
      values: { ...checkValues(req.query), lingua: c.base.locale, ...prefill },
      action,
      ...(c.csrf ? { csrf: c.csrf } : {}),
    });
  };
  const submitRequest = async (req: FastifyRequest, reply: FastifyReply, action: string, p: Principal | null) => {
    const c = await chrome(req, reply);
    const t = FT[c.base.locale];
    const f = formOf(req.body);
    const again = async (err: DomainError, status: number) =>
      sendPage(
        reply,
        RequestFormPage,
        {
          ...c.base,
          ...(await choices(c.base.locale)),
          values: f,
          action,
          ...(c.csrf ? { csrf: c.csrf } : {}),
          error: err.messages[c.base.locale],
          problems: problemsOf(err, c.base.locale),
        },
        status,
      );
    const email = (f.email ?? '').trim().toLowerCase();
    try {
      await throttled(deps, req, reply, 'request', email || undefined);
    } catch (err) {
      if (err instanceof FormThrottledError) return throttledPage(reply, c.base, err);
      throw err;
    }
    if (f.sito) {
      req.log.info('enrollment request: honeypot filled, nothing stored');
      return notice(reply, c.base, t.sentTitle, t.sent(email || '—'));
    }
    const firm = firmOf(f);
    if ([firm.staff, firm.peopleEmployed, firm.turnoverCents, firm.balanceSheetCents].some((n) => Number.isNaN(n)))
      return again(new DomainErrorClass('invalid_request', BAD_NUMBERS), 400);
    try {
      await createRequest({ db, programmes: service.programmes }, requestInputOf(f), {
        ip: req.ip,
        baseUrl: baseUrlOf(deps, req),
        ...(p ? { requestedBy: p } : {}),
      });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return again(err, err.code === 'invalid_request' ? 400 : err.code === 'sign_in_required' ? 409 : 422);
    }
    return notice(reply, c.base, t.sentTitle, t.sent(email));
  };
  app.get<{ Querystring: { edizione?: string; percorso?: string } }>('/richiesta', async (req, reply) =>
    requestForm(req, reply, '/richiesta'),
  );
  app.post('/richiesta', async (req, reply) => submitRequest(req, reply, '/richiesta', null));

  // The link in the email opens a page; only its button (a POST) confirms, so scanners that
  // prefetch links confirm nothing.
  app.get<{ Params: { token: string } }>('/richiesta/conferma/:token', async (req, reply) => {
    const c = await chrome(req, reply);
    try {
      const r = await requestOfToken(db, req.params.token);
      return sendPage(reply, ConfirmRequestPage, {
        ...c.base,
        companyName: r.companyName,
        pathwayName: CATALOGUE[r.kind]?.name[c.base.locale] ?? r.kind,
        token: req.params.token,
        ...(c.csrf ? { csrf: c.csrf } : {}),
      });
    } catch (err) {
      if (err instanceof LinkError) return linkPage(reply, c.base, err, 'request');
      throw err;
    }
  });
  app.post<{ Params: { token: string } }>('/richiesta/conferma/:token', async (req, reply) => {
    const c = await chrome(req, reply);
    const t = FT[c.base.locale];
    try {
      await throttled(deps, req, reply, 'link');
      const r = await confirmRequest({ db, temporal: deps.temporal, taskQueue: service.taskQueue }, req.params.token);
      const network = ATS_NETWORKS.find((a) => a.code === r.atsCode)?.name ?? r.atsCode;
      return notice(reply, c.base, t.confirmedTitle, t.confirmed(network));
    } catch (err) {
      if (err instanceof LinkError) return linkPage(reply, c.base, err, 'request');
      if (err instanceof FormThrottledError) return throttledPage(reply, c.base, err);
      throw err;
    }
  });

  // Invitation and reset links: set a password.
  const passwordRoutes = (path: string, mode: 'invite' | 'reset') => {
    const show = async (
      req: FastifyRequest<{ Params: { token: string } }>,
      reply: FastifyReply,
      error?: string,
      status = 200,
    ) => {
      const c = await chrome(req, reply);
      try {
        const row = await openLink(db, req.params.token, mode);
        const role = (row.role ??
          (row.userId ? (await db.user.findUnique({ where: { id: row.userId } }))?.role : null) ??
          'sme') as Principal['role'];
        return sendPage(
          reply,
          SetPasswordPage,
          {
            ...c.base,
            mode,
            name: row.name ?? row.email,
            email: row.email,
            action: `${path}/${encodeURIComponent(req.params.token)}`,
            minLength: minPasswordLength(role),
            ...(c.csrf ? { csrf: c.csrf } : {}),
            ...(error ? { error } : {}),
          },
          status,
        );
      } catch (err) {
        if (err instanceof LinkError) return linkPage(reply, c.base, err, mode);
        throw err;
      }
    };
    app.get<{ Params: { token: string } }>(`${path}/:token`, async (req, reply) => show(req, reply));
    app.post<{ Params: { token: string } }>(`${path}/:token`, async (req, reply) => {
      const c = await chrome(req, reply);
      const t = FT[c.base.locale];
      const f = formOf(req.body);
      if ((f.password ?? '') !== (f.confirm ?? '')) return show(req, reply, t.mismatch, 400);
      try {
        await throttled(deps, req, reply, 'link');
        if (mode === 'invite') await acceptInvitation(db, req.params.token, f.password ?? '');
        else await completePasswordReset(db, req.params.token, f.password ?? '');
      } catch (err) {
        if (err instanceof LinkError) return linkPage(reply, c.base, err, mode);
        if (err instanceof FormThrottledError) return throttledPage(reply, c.base, err);
        if (isDomainError(err)) return show(req, reply, err.messages[c.base.locale], 422);
        throw err;
      }
      return notice(reply, c.base, t.passwordSet, t.passwordSet, 200, { link: { href: '/login', label: t.signIn } });
    });
  };
  passwordRoutes('/invito', 'invite');
  passwordRoutes('/password/reset', 'reset');

  // Forgotten password: the same answer whatever the address.
  app.get('/password/dimenticata', async (req, reply) => {
    const c = await chrome(req, reply);
    return sendPage(reply, ForgotPasswordPage, { ...c.base, ...(c.csrf ? { csrf: c.csrf } : {}) });
  });
  app.post('/password/dimenticata', async (req, reply) => {
    const c = await chrome(req, reply);
    const f = formOf(req.body);
    const email = (f.email ?? '').trim().toLowerCase();
    try {
      await throttled(deps, req, reply, 'forgot', email || undefined);
    } catch (err) {
      if (err instanceof FormThrottledError) return throttledPage(reply, c.base, err);
      throw err;
    }
    if (!f.sito && email) await sendPasswordReset(db, email, { baseUrl: baseUrlOf(deps, req) });
    return sendPage(reply, ForgotPasswordPage, { ...c.base, sent: true, ...(c.csrf ? { csrf: c.csrf } : {}) });
  });

  // The coordinators' (and admins') request pages; an sme user makes a request for their company.
  const signedIn = async (req: FastifyRequest, reply: FastifyReply) => {
    const c = await chrome(req, reply);
    if (!c.p) {
      await reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
      return null;
    }
    return c as typeof c & { p: Principal; base: { user: NavUser } };
  };
  const rowView = (r: RequestView, locale: Locale) => ({
    id: r.id,
    status: r.status,
    companyName: r.companyName,
    pathwayName: r.pathwayName,
    networkName: r.networkName,
    confirmedAt: r.confirmedAt
      ? new Date(r.confirmedAt).toLocaleString(locale === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome' })
      : '',
  });

  app.get('/app/requests', async (req, reply) => {
    const c = await signedIn(req, reply);
    if (!c) return reply;
    const l = c.base.locale;
    if (c.p.role === 'consultant')
      return notice(
        reply,
        c.base,
        FT[l].requestsTitle,
        l === 'it' ? 'Pagina riservata ai coordinatori.' : 'Coordinators only.',
        403,
      );
    const items = await listRequests(db, c.p);
    return sendPage(reply, RequestsPage, {
      ...c.base,
      user: c.base.user,
      items: items.map((r) => rowView(r, l)),
      canCreate: c.p.role === 'sme' && Boolean(c.p.companyId),
    });
  });

  /** A signed-in sme user of a company, or the answer already sent (sign-in, or 403 for anyone else). */
  const smeSignedIn = async (req: FastifyRequest, reply: FastifyReply) => {
    const c = await signedIn(req, reply);
    if (!c) return null;
    if (c.p.role !== 'sme' || !c.p.companyId) {
      await notice(
        reply,
        c.base,
        '403',
        c.base.locale === 'it' ? 'Pagina per gli utenti impresa.' : 'For company users.',
        403,
      );
      return null;
    }
    return { ...c, companyId: c.p.companyId };
  };

  /** An sme user's request for their own company, prefilled from its stored record. */
  app.get<{ Querystring: { edizione?: string; percorso?: string } }>('/app/requests/new', async (req, reply) => {
    const c = await smeSignedIn(req, reply);
    if (!c) return reply;
    const co = await db.company.findUniqueOrThrow({ where: { id: c.companyId } });
    const euros = (n: number | null) => (n === null ? '' : String(n / 100));
    return requestForm(req, reply, '/app/requests/new', {
      ragione: co.name,
      piva: /^\d{11}$/.test(co.vatNumber) ? co.vatNumber : '',
      cf: /^\d{11}$/.test(co.vatNumber) ? '' : co.vatNumber,
      registrata: /^\d{11}$/.test(co.vatNumber) ? 'yes' : 'no',
      provincia: co.province,
      comune: co.city ?? '',
      settore: co.sector,
      ula: String(co.staff),
      occupati: co.peopleEmployed === null ? '' : String(co.peopleEmployed),
      fatturato: euros(co.turnoverCents),
      bilancio: euros(co.balanceSheetCents),
      ateco: co.atecoCode ?? '',
      artigiana: co.craftRegistered === null ? '' : co.craftRegistered ? 'yes' : 'no',
      cura: co.isCareCompany ? 'yes' : '',
      nome: c.p.name,
      email: c.p.email,
    });
  });
  app.post('/app/requests/new', async (req, reply) => {
    const c = await smeSignedIn(req, reply);
    if (!c) return reply;
    return submitRequest(req, reply, '/app/requests/new', c.p);
  });

  const detail = async (
    req: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    flash: { ok?: string; error?: string } = {},
    status = 200,
  ) => {
    const c = await signedIn(req, reply);
    if (!c) return reply;
    const l = c.base.locale;
    const t = FT[l];
    let row;
    try {
      if (c.p.role !== 'admin' && c.p.role !== 'coordinator') throw new LinkError('unknown');
      row = await findRequest(db, c.p, req.params.id);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return notice(reply, c.base, '404', l === 'it' ? 'Richiesta non trovata.' : 'Request not found.', 404);
    }
    const r = requestView(row);
    const co = r.payload.company;
    const money = (n: number | undefined) =>
      n === undefined
        ? '—'
        : (n / 100).toLocaleString(l === 'it' ? 'it-IT' : 'en-GB', { style: 'currency', currency: 'EUR' });
    const figures = [
      { label: t.vatOrTaxCode, value: r.vatNumber },
      { label: t.city, value: `${co.city ?? ''} (${co.province})` },
      { label: t.sector, value: t.sectorNames[co.sector] ?? co.sector },
      { label: t.staff, value: co.staff.toLocaleString(l === 'it' ? 'it-IT' : 'en-GB') },
      { label: t.turnover, value: money(co.turnoverCents) },
      { label: t.balanceSheet, value: money(co.balanceSheetCents) },
      {
        label: t.people,
        value: (r.payload.participants ?? []).map((x) => `${x.name} (${t.roleNames[x.role ?? 'employee']})`).join(', '),
      },
    ];
    const consultants = (await consultantsFor(db, row)).map((u) => ({
      value: u.email,
      label: `${u.name} (${u.email})`,
    }));
    return sendPage(
      reply,
      RequestDetailPage,
      {
        ...c.base,
        user: c.base.user,
        request: {
          ...rowView(r, l),
          vatNumber: r.vatNumber,
          declarantName: r.declarantName,
          declarantEmail: r.declarantEmail,
          figures,
          declineReason: r.declineReason,
          consultantEmail: r.consultantEmail,
          enrollmentId: r.enrollmentId,
        },
        consultants,
        canDecide: r.status === 'awaiting_decision',
        ...flash,
      },
      status,
    );
  };
  app.get<{ Params: { id: string } }>('/app/requests/:id', async (req, reply) => detail(req, reply));
  for (const action of ['accept', 'decline'] as const)
    app.post<{ Params: { id: string } }>(`/app/requests/:id/${action}`, async (req, reply) => {
      const c = await signedIn(req, reply);
      if (!c) return reply;
      const t = FT[c.base.locale];
      const f = formOf(req.body);
      try {
        if (c.p.role !== 'admin' && c.p.role !== 'coordinator') throw new LinkError('unknown');
        await findRequest(db, c.p, req.params.id);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        return notice(
          reply,
          c.base,
          '404',
          c.base.locale === 'it' ? 'Richiesta non trovata.' : 'Request not found.',
          404,
        );
      }
      try {
        await decideRequest(
          deps,
          c.p,
          req.params.id,
          action === 'accept'
            ? { decision: 'accept', consultantEmail: f.consultant ?? '' }
            : { decision: 'decline', reason: f.reason ?? '' },
        );
      } catch (err) {
        if (!isDomainError(err)) throw err;
        return detail(req, reply, { error: err.messages[c.base.locale] }, err.code === 'invalid_request' ? 400 : 409);
      }
      return detail(req, reply, { ok: action === 'accept' ? t.accepted : t.declined });
    });
}
