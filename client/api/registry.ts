/**
 * Every API route is declared once: method, path, who may call it, and its zod schemas. The same
 * declaration registers the Fastify handler, checks access, validates the input, and produces the
 * OpenAPI 3.1 document served at /openapi.json.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, type ZodType } from 'zod';
import { DomainError } from '../../domain/errors';
import type { Principal, Role } from '../auth/principal';
import { validationError } from '../validation';
import { pickLocale } from './errors';
import type { Locale } from '../../domain/locale';

type Schema = ZodType | undefined;
/** What a route's handler receives for one part of the request: its schema's output, or `Absent` without one. */
export type Parsed<S extends Schema, Absent> = S extends ZodType ? z.output<S> : Absent;

export interface RouteSpec<PS extends Schema = Schema, QS extends Schema = Schema, BS extends Schema = Schema> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** 'public' needs no credentials; otherwise the roles allowed to call. */
  access: 'public' | readonly Role[];
  /** The route reads a multipart/form-data body itself (an upload); every other route refuses one. */
  multipart?: true;
  params?: PS;
  query?: QS;
  body?: BS;
  /** Documented response body of the success status. */
  response?: ZodType;
  status?: number;
  /** Content types other than JSON the route can answer with (documented only). */
  produces?: string[];
  /**
   * Statuses the route can answer besides its success and the refusals every route documents: the
   * Error body unless a schema is given (null: no body).
   */
  otherResponses?: Record<number, { description: string; schema?: ZodType | null }>;
}

export interface RouteContext<P, Q, B> {
  principal: Principal | null;
  locale: Locale;
  params: P;
  query: Q;
  body: B;
}

type Handler<P, Q, B> = (ctx: RouteContext<P, Q, B>, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. invalid_request, forbidden, not_found'),
      message: z.string().describe("Human-readable message in the caller's language (Accept-Language it/en)"),
      details: z.unknown().optional().describe('Per-field problems for invalid_request; context otherwise'),
    }),
  })
  .describe('Error');

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size, 1–200 (default 50)'),
  cursor: z.string().max(100).optional().describe('nextCursor of the previous page'),
});

export function paged<T extends ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export function unauthenticated(): DomainError {
  return new DomainError('unauthenticated', {
    it: 'Accesso richiesto: inviare "Authorization: Bearer <token>" oppure accedere da /login.',
    en: 'Sign-in required: send "Authorization: Bearer <token>" or sign in at /login.',
  });
}

export function unsupportedMediaType(): DomainError {
  return new DomainError('unsupported_media_type', {
    it: 'Tipo di contenuto non supportato: usare application/json in UTF-8.',
    en: 'Unsupported content type: send application/json in UTF-8.',
  });
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

export function forbidden(): DomainError {
  return new DomainError('forbidden', {
    it: 'Il tuo ruolo non consente questa operazione.',
    en: 'Your role does not allow this operation.',
  });
}

// The logger type parameter differs between a Fastify built with a pino instance and the default.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFastify = FastifyInstance<any, any, any, any>;

export class ApiRegistry {
  readonly routes: RouteSpec[] = [];

  constructor(
    private readonly app: AnyFastify,
    private readonly authenticate: (req: FastifyRequest) => Promise<Principal | null>,
  ) {}

  /** The handler's params, query and body are typed by the route's own schemas, as parsed. */
  add<PS extends Schema = undefined, QS extends Schema = undefined, BS extends Schema = undefined>(
    spec: RouteSpec<PS, QS, BS>,
    handler: Handler<Parsed<PS, Record<string, never>>, Parsed<QS, Record<string, never>>, Parsed<BS, undefined>>,
  ): void {
    type P = Parsed<PS, Record<string, never>>;
    type Q = Parsed<QS, Record<string, never>>;
    type B = Parsed<BS, undefined>;
    this.routes.push(spec);
    this.app.route({
      method: spec.method,
      url: spec.url,
      handler: async (req, reply) => {
        const principal = await this.authenticate(req);
        if (spec.access !== 'public') {
          if (!principal) throw unauthenticated();
          if (!spec.access.includes(principal.role)) throw forbidden();
        }
        // The API speaks JSON only: a form or a text body (parsed for the dashboard's own pages) is refused,
        // so a cross-site form can never drive an API route.
        if (req.body !== undefined && !isJson(req.headers['content-type'])) throw unsupportedMediaType();
        // A multipart body is left unread by the parser (uploads stream it), so the header decides.
        if (!spec.multipart && /^multipart\//i.test(req.headers['content-type'] ?? '')) throw unsupportedMediaType();
        // Without a schema the part is absent (undefined), as its type says.
        const parse = <T>(schema: Schema, value: unknown): T => {
          if (!schema) return undefined as T;
          const r = schema.safeParse(value ?? {});
          if (!r.success) throw validationError(r.error);
          return r.data as T;
        };
        const ctx: RouteContext<P, Q, B> = {
          principal,
          locale: pickLocale(req.headers['accept-language']),
          params: parse<P>(spec.params, req.params),
          query: parse<Q>(spec.query, req.query),
          body: parse<B>(spec.body, req.body),
        };
        const result = await handler(ctx, req, reply);
        if (spec.status && !reply.sent) reply.status(spec.status);
        return result;
      },
    });
  }

  openApi(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const schemas: Record<string, unknown> = {};
    const json = (schema: ZodType, io: 'input' | 'output') => {
      const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
        string,
        unknown
      >;
      delete s.$schema;
      return s;
    };
    schemas.Error = json(errorSchema, 'output');
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, schema] of [
        ['path', r.params],
        ['query', r.query],
      ] as const) {
        if (!schema) continue;
        const s = json(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, prop] of Object.entries(s.properties ?? {})) {
          parameters.push({
            name,
            in: where,
            required: where === 'path' || (s.required ?? []).includes(name),
            schema: prop,
            ...((prop as { description?: string }).description
              ? { description: (prop as { description?: string }).description }
              : {}),
          });
        }
      }
      const errorResponse = (description: string) => ({
        description,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      });
      const success: Record<string, unknown> = { description: 'OK' };
      const content: Record<string, unknown> = {};
      // A route with other formats answers JSON too, by default.
      if (r.response || r.produces)
        content['application/json'] = { schema: r.response ? json(r.response, 'output') : {} };
      for (const type of r.produces ?? []) content[type] = { schema: { type: 'string' } };
      if (Object.keys(content).length > 0) success.content = content;
      paths[path] ??= {};
      paths[path][r.method.toLowerCase()] = {
        operationId: r.operationId,
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        tags: [r.tag],
        ...(r.access === 'public' ? { security: [] } : { 'x-roles': r.access }),
        ...(parameters.length ? { parameters } : {}),
        ...(r.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: json(r.body, 'input') } } } }
          : {}),
        responses: {
          [String(r.status ?? 200)]: success,
          '400': errorResponse('Invalid request (code invalid_request, details per field)'),
          ...(r.access === 'public'
            ? {}
            : { '401': errorResponse('No valid credentials'), '403': errorResponse('Role not allowed') }),
          '404': errorResponse('Not found, or not visible to the caller'),
          '409': errorResponse('Conflicts with the current state'),
          ...(r.body
            ? {
                '413': errorResponse('Body larger than 256 KB'),
                '415': errorResponse('Body not application/json in UTF-8'),
              }
            : {}),
          '422': errorResponse('Understood but refused by a domain rule'),
          ...Object.fromEntries(
            Object.entries(r.otherResponses ?? {}).map(([status, { description, schema }]) => [
              status,
              schema === null
                ? { description }
                : schema
                  ? { description, content: { 'application/json': { schema: json(schema, 'output') } } }
                  : errorResponse(description),
            ]),
          ),
        },
      };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: info.title,
        version: info.version,
        description:
          'Work-life balance (conciliazione vita-lavoro) pathways for Lombardy SMEs. Errors always have the shape ' +
          '{ error: { code, message, details } }, message in the language of Accept-Language (it or en). ' +
          'Lists are paginated with limit and cursor. Authenticate with an API token (Authorization: Bearer) ' +
          'or the dashboard session cookie.',
      },
      servers: [{ url: info.serverUrl }],
      security: [{ bearer: [] }, { session: [] }],
      components: {
        schemas,
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token from `conciliaflow users token`' },
          session: { type: 'apiKey', in: 'cookie', name: 'cf_session' },
        },
      },
      paths,
    };
  }
}
