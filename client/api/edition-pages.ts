/**
 * The Region's editions pages (/app/editions, admins only): list, details with decrees and their
 * fan-out's progress (the `progress` Query of `decree-<id>`), and forms to create, change and
 * extend an edition. Each form goes through the programme store the API uses (validation, audit,
 * the decree's fan-out) with the admin as actor; its CSRF token is checked by the server-wide hook.
 * An earlier end is first shown back for confirmation, then recorded with `force`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isDomainError, type DomainError } from '../../domain/errors';
import { CATALOGUE } from '../../domain/catalogue';
import { ATS_NETWORKS } from '../../domain/territory';
import { decreeProgressQuery, type DecreeProgress } from '../../workflows/messages';
import { auditActor } from '../audit';
import type { Principal } from '../auth/principal';
import type { ProgrammeView } from '../programmes';
import { parseForm } from '../web/forms';
import { EditionPage, EditionsPage, type Choice } from '../web/views/editions';
import { MessagePage } from '../web/views/message';
import { EDITION_TEXT } from '../web/views/texts-editions';
import type { DashboardHelpers } from './account-pages';
import { sendPage } from './dashboard';
import type { AnyFastify } from './registry';
import type { ApiDeps } from './server';

/** How long the page waits for a fan-out's progress before showing it as unavailable. */
const PROGRESS_DEADLINE_MS = 2000;

const formSchema = z.record(z.string(), z.string().max(4000));
const codeParams = z.object({ code: z.string().min(1).max(40) });

/** The edition form as the store's body: empty dates are unknown (null), boxes become lists. */
function editionBody(form: Record<string, string>, current?: ProgrammeView) {
  const nullable = (k: string) => (form[k]?.trim() ? form[k]!.trim() : null);
  const boxes = (prefix: string) =>
    Object.keys(form)
      .filter((k) => k.startsWith(`${prefix}.`) && form[k] === 'on')
      .map((k) => k.slice(prefix.length + 1));
  // A version pinned on an action stays pinned while its box stays ticked.
  const pinned = new Map((current?.actions ?? []).map((a) => [a.kind, a]));
  const body: Record<string, unknown> = {
    name: form.name?.trim() ?? '',
    decision: nullable('decision'),
    startsOn: nullable('startsOn'),
    enrollmentOpensOn: nullable('enrollmentOpensOn'),
    enrollmentClosesOn: nullable('enrollmentClosesOn'),
    atsCodes: boxes('atsCodes'),
    actions: boxes('actions').map((kind) => pinned.get(kind) ?? { kind }),
    notes: nullable('notes'),
    demo: form.demo === 'on',
  };
  // The end is a field only while none is set; afterwards it moves by decree.
  if (!current || current.endsOn === null) body.endsOn = nullable('endsOn');
  return body;
}

/** The form's values, to show a refused form again as it was typed. */
function draftOf(form: Record<string, string>): Record<string, string | string[]> {
  const draft: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(form)) {
    const dot = k.indexOf('.');
    if (dot > 0 && v === 'on')
      draft[k.slice(0, dot)] = [...((draft[k.slice(0, dot)] as string[]) ?? []), k.slice(dot + 1)];
    else if (k !== 'csrf') draft[k] = v;
  }
  return draft;
}

const statusOf = (err: DomainError) =>
  err.code === 'invalid_request' ? 400 : err.code === 'programme_not_found' ? 404 : 409;

export function registerEditionPages(app: AnyFastify, deps: ApiDeps, h: DashboardHelpers): void {
  const store = deps.service.programmes;
  const atsChoices: Choice[] = ATS_NETWORKS.map((a) => ({ value: a.code, label: a.name }));
  const kindChoices = (locale: 'it' | 'en'): Choice[] =>
    Object.values(CATALOGUE).map((d) => ({ value: d.kind, label: `${d.name[locale]} (${d.kind})` }));

  /** The signed-in admin, or the page that says only admins come here. */
  const requireAdmin = async (req: FastifyRequest, reply: FastifyReply): Promise<Principal | null> => {
    const p = await h.requireUser(req, reply);
    if (!p) return null;
    if (p.role !== 'admin') {
      const c = h.chrome(req, p);
      const t = EDITION_TEXT[c.locale];
      await sendPage(reply, MessagePage, { ...c, title: t.title, text: t.adminsOnly }, 403);
      return null;
    }
    return p;
  };

  async function progressOf(edition: ProgrammeView): Promise<Record<string, DecreeProgress | null>> {
    const entries = await Promise.all(
      edition.decrees.map(async (d) => {
        if (!d.fanOutWorkflowId) return [d.id, null] as const;
        try {
          const p = await deps.temporal.withDeadline(Date.now() + PROGRESS_DEADLINE_MS, () =>
            deps.temporal.workflow.getHandle(d.fanOutWorkflowId!).query(decreeProgressQuery),
          );
          return [d.id, p] as const;
        } catch {
          return [d.id, null] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }

  const listPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    extra: { result?: { kind: 'ok' | 'err'; text: string }; draft?: Record<string, string | string[]> } = {},
    status = 200,
  ) => {
    const c = h.chrome(req, p);
    const { items } = await store.list();
    return sendPage(
      reply,
      EditionsPage,
      { ...c, ...extra, editions: items, atsChoices, kindChoices: kindChoices(c.locale) },
      status,
    );
  };

  const editionPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    code: string,
    extra: { result?: { kind: 'ok' | 'err'; text: string }; confirm?: EditionPageProps['confirm'] } = {},
    status = 200,
  ) => {
    const c = h.chrome(req, p);
    const t = EDITION_TEXT[c.locale];
    let edition: ProgrammeView;
    try {
      edition = await store.get(code);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return sendPage(reply, MessagePage, { ...c, title: '404', text: t.notFound }, 404);
    }
    return sendPage(
      reply,
      EditionPage,
      {
        ...c,
        ...extra,
        edition,
        atsChoices,
        kindChoices: kindChoices(c.locale),
        progress: await progressOf(edition),
      },
      status,
    );
  };

  const okFrom = (req: FastifyRequest, locale: 'it' | 'en') => {
    const code = (req.query as { ok?: unknown }).ok;
    const text = typeof code === 'string' ? EDITION_TEXT[locale].ok[code] : undefined;
    return text ? { result: { kind: 'ok' as const, text } } : {};
  };
  const refused = (locale: 'it' | 'en', err: DomainError) => ({
    kind: 'err' as const,
    text: `${EDITION_TEXT[locale].error} ${err.messages[locale]}`,
  });

  app.get('/app/editions', async (req, reply) => {
    const p = await requireAdmin(req, reply);
    if (!p) return reply;
    return listPage(req, reply, p, okFrom(req, h.chrome(req, p).locale));
  });

  app.post('/app/editions', async (req, reply) => {
    const p = await requireAdmin(req, reply);
    if (!p) return reply;
    const form = parseForm(formSchema, req.body);
    const { locale } = h.chrome(req, p);
    try {
      const created = await store.create({ code: form.code?.trim() ?? '', ...editionBody(form) }, auditActor(p));
      return reply.redirect(`/app/editions/${encodeURIComponent(created.code)}?ok=created`, 303);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return listPage(req, reply, p, { result: refused(locale, err), draft: draftOf(form) }, statusOf(err));
    }
  });

  app.get('/app/editions/:code', async (req, reply) => {
    const p = await requireAdmin(req, reply);
    if (!p) return reply;
    const { code } = codeParams.parse(req.params);
    return editionPage(req, reply, p, code, okFrom(req, h.chrome(req, p).locale));
  });

  app.post('/app/editions/:code', async (req, reply) => {
    const p = await requireAdmin(req, reply);
    if (!p) return reply;
    const { code } = codeParams.parse(req.params);
    const form = parseForm(formSchema, req.body);
    const { locale } = h.chrome(req, p);
    try {
      const current = await store.get(code);
      await store.update(code, editionBody(form, current), auditActor(p));
      return reply.redirect(`/app/editions/${encodeURIComponent(code)}?ok=updated`, 303);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return editionPage(req, reply, p, code, { result: refused(locale, err) }, statusOf(err));
    }
  });

  app.post('/app/editions/:code/extend', async (req, reply) => {
    const p = await requireAdmin(req, reply);
    if (!p) return reply;
    const { code } = codeParams.parse(req.params);
    const form = parseForm(formSchema, req.body);
    const { locale } = h.chrome(req, p);
    const endsOn = form.endsOn?.trim() ?? '';
    const decree = form.decree?.trim() ?? '';
    const note = form.note?.trim() ?? '';
    try {
      const current = await store.get(code);
      const shortening = current.endsOn !== null && endsOn !== '' && endsOn < current.endsOn;
      // An earlier end is shown back for confirmation before anything is recorded.
      if (shortening && form.confirm !== '1') {
        const open = await deps.db.enrollment.count({ where: { programmeCode: code, status: 'active' } });
        return editionPage(req, reply, p, code, { confirm: { endsOn, decree, note, open } });
      }
      await store.extend(
        code,
        { endsOn, decree, ...(note ? { note } : {}), ...(shortening ? { force: true } : {}) },
        auditActor(p),
      );
      return reply.redirect(`/app/editions/${encodeURIComponent(code)}?ok=extended`, 303);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return editionPage(req, reply, p, code, { result: refused(locale, err) }, statusOf(err));
    }
  });
}

type EditionPageProps = Parameters<typeof EditionPage>[0];
