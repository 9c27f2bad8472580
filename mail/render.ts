import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { MAIL_HELPER_NAMES, registerMailHelpers } from './helpers';
import { AUDIENCES, messageOf, type Audience } from './messages';

export type { Locale } from '../domain/locale';
import type { Locale } from '../domain/locale';
export const LOCALES: readonly Locale[] = ['it', 'en'];
export const DEFAULT_LOCALE: Locale = 'it';

// The registry is where messages are declared; these stay exported here for the callers that render.
export {
  AUDIENCES,
  DIGEST_STATUSES,
  MESSAGE_NAMES,
  type Audience,
  type DigestStatus,
  type TemplateName as MessageName,
} from './messages';

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

export interface TemplateInfo {
  name: string;
  locales: Locale[];
  /** Context keys the message needs (null is accepted as "none"), layout-only variables excluded. */
  variables: string[];
  audience: Audience;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  constructor(
    message: string,
    /** Template file without the .hbs extension, e.g. "step-reminder.it.html", when one is involved. */
    readonly template?: string,
    readonly variable?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const TEMPLATES_DIR = path.join(__dirname, 'templates');
const PARTS = ['subject', 'html', 'text'] as const;
type Part = (typeof PARTS)[number];

/**
 * What render.ts itself puts in the context; callers never have to provide these. `lang` is set for the message
 * parts too, so that templates and the `euro` helper can read it.
 */
const LAYOUT_VARIABLES: ReadonlySet<string> = new Set([
  'lang',
  'subject',
  'body',
  'footer',
  'audience',
  'unsubscribeUrl',
  'recipientKind',
  'recipientIsStaff',
  'uploadItems',
  'uploadUrl',
]);

interface CompiledTemplate {
  file: string;
  variables: string[];
  render: Handlebars.TemplateDelegate;
}

type Frame = Record<'html' | 'text', CompiledTemplate>;

interface Registry {
  layouts: Frame;
  footers: Record<Audience, Frame>;
  messages: Map<string, Map<Locale, Record<Part, CompiledTemplate>>>;
}

let registry: Registry | undefined;

function getRegistry(): Registry {
  registry ??= loadRegistry();
  return registry;
}

function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

function audienceOf(name: string): Audience {
  // A template added to the directory but not to the registry still renders, as the commonest kind of message.
  return messageOf(name)?.audience ?? 'participant';
}

function loadRegistry(): Registry {
  const hb = Handlebars.create();
  registerMailHelpers(hb);
  const helpers = new Set(Object.keys(hb.helpers));
  // knownHelpersOnly turns a misspelt helper into a compile error instead of a silent section block.
  const compileOptions = {
    strict: true,
    knownHelpers: Object.fromEntries(MAIL_HELPER_NAMES.map((name) => [name, true])),
    knownHelpersOnly: true,
  };

  const compile = (file: string, source: string, noEscape: boolean): CompiledTemplate => {
    let ast: hbs.AST.Program;
    try {
      ast = hb.parse(source);
    } catch (err) {
      throw new TemplateError(`template ${file}: ${errorMessage(err)}`, file, undefined, { cause: err });
    }
    return {
      file,
      variables: [...collectVariables(ast, helpers)].sort(),
      render: hb.compile(source, { ...compileOptions, noEscape }),
    };
  };
  const read = (file: string): string => fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8');

  const partialsDir = path.join(TEMPLATES_DIR, 'partials');
  if (fs.existsSync(partialsDir)) {
    for (const file of fs.readdirSync(partialsDir)) {
      if (!file.endsWith('.hbs')) continue;
      const name = file.slice(0, -'.hbs'.length);
      // Partials are HTML snippets; registering them compiled keeps strict mode and escaping explicit.
      hb.registerPartial(name, compile(`partials/${name}`, read(path.join('partials', file)), false).render);
    }
  }

  const layouts = {
    html: compile('layout.html', read('layout.html.hbs'), false),
    text: compile('layout.text', read('layout.text.hbs'), true),
  };

  const footers = {} as Record<Audience, Frame>;
  for (const audience of AUDIENCES) {
    const frame: Partial<Frame> = {};
    for (const part of ['html', 'text'] as const) {
      const file = path.join('footers', `${audience}.${part}.hbs`);
      if (!fs.existsSync(path.join(TEMPLATES_DIR, file))) {
        throw new TemplateError(`missing footer template ${file} for audience "${audience}"`);
      }
      frame[part] = compile(`footers/${audience}.${part}`, read(file), part === 'text');
    }
    footers[audience] = frame as Frame;
  }

  const found = new Map<string, Map<Locale, Partial<Record<Part, CompiledTemplate>>>>();
  for (const entry of fs.readdirSync(TEMPLATES_DIR, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.hbs') || entry.name.startsWith('layout.')) continue;
    const match = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z]{2})\.(subject|html|text)\.hbs$/.exec(entry.name);
    if (!match) {
      throw new TemplateError(
        `unexpected template file ${entry.name}: expected <name>.<locale>.<subject|html|text>.hbs`,
      );
    }
    const [, name = '', locale = '', part = ''] = match;
    if (!isLocale(locale)) {
      throw new TemplateError(
        `template file ${entry.name}: unsupported locale "${locale}" (supported: ${LOCALES.join(', ')})`,
      );
    }
    const file = entry.name.slice(0, -'.hbs'.length);
    const byLocale = found.get(name) ?? new Map<Locale, Partial<Record<Part, CompiledTemplate>>>();
    found.set(name, byLocale);
    const parts = byLocale.get(locale) ?? {};
    byLocale.set(locale, parts);
    // Subjects are mail headers and text parts are plain text: escaping would show "&amp;" to the reader.
    parts[part as Part] = compile(file, read(entry.name), part !== 'html');
  }

  const messages = new Map<string, Map<Locale, Record<Part, CompiledTemplate>>>();
  for (const [name, byLocale] of found) {
    const complete = new Map<Locale, Record<Part, CompiledTemplate>>();
    for (const [locale, parts] of byLocale) {
      const missing = PARTS.filter((part) => !parts[part]);
      if (missing.length > 0) {
        throw new TemplateError(
          `template ${name}.${locale}: missing ${missing.map((part) => `${name}.${locale}.${part}.hbs`).join(', ')}`,
        );
      }
      complete.set(locale, parts as Record<Part, CompiledTemplate>);
    }
    messages.set(name, complete);
  }
  return { layouts, footers, messages };
}

/**
 * Top-level context keys a template reads. Helper names are not variables; inside #each / #with the
 * context changes, so only paths that climb back to the root (../x, @root.x) count there.
 */
function collectVariables(program: hbs.AST.Program, helpers: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const scopeChanging = new Set(['each', 'with']);

  const pathExpression = (node: hbs.AST.PathExpression, scope: number): void => {
    if (node.data) {
      if (node.parts[0] === 'root' && node.parts[1]) found.add(node.parts[1]);
      return;
    }
    const first = node.parts[0];
    if (node.depth === scope && first) found.add(first);
  };
  const expression = (node: hbs.AST.Expression, scope: number): void => {
    if (node.type === 'PathExpression') pathExpression(node as hbs.AST.PathExpression, scope);
    else if (node.type === 'SubExpression') call(node as hbs.AST.SubExpression, scope);
  };
  const args = (params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, scope: number): void => {
    for (const param of params) expression(param, scope);
    for (const pair of hash?.pairs ?? []) expression(pair.value, scope);
  };
  const isHelperCall = (node: { path: hbs.AST.Expression; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash }) =>
    node.params.length > 0 ||
    (node.hash?.pairs.length ?? 0) > 0 ||
    (node.path.type === 'PathExpression' && helpers.has((node.path as hbs.AST.PathExpression).original));
  const call = (
    node: { path: hbs.AST.Expression; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash },
    scope: number,
  ): void => {
    if (isHelperCall(node)) args(node.params, node.hash, scope);
    else expression(node.path, scope);
  };
  const statements = (node: hbs.AST.Program | undefined, scope: number): void => {
    for (const statement of node?.body ?? []) visit(statement, scope);
  };
  const visit = (node: hbs.AST.Statement, scope: number): void => {
    switch (node.type) {
      case 'MustacheStatement':
      case 'Decorator':
        call(node as hbs.AST.MustacheStatement, scope);
        break;
      case 'BlockStatement':
      case 'DecoratorBlock': {
        const block = node as hbs.AST.BlockStatement;
        call(block, scope);
        const helper = block.path.original;
        // A block on a plain variable ({{#company}}) renders its body with that value as context.
        const inner = scopeChanging.has(helper) || !helpers.has(helper) ? scope + 1 : scope;
        statements(block.program, inner);
        statements(block.inverse, scope);
        break;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const partial = node as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;
        args(partial.params, partial.hash, scope);
        if (partial.type === 'PartialBlockStatement') statements(partial.program, scope);
        break;
      }
      default:
        break;
    }
  };
  statements(program, 0);
  return found;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function run(template: CompiledTemplate, context: Record<string, unknown>): string {
  // Handlebars' strict mode does not look at helper arguments ({{#if x}}, (eq when "before")), so every
  // variable the template mentions is checked up front; null stays allowed as an explicit "none".
  for (const variable of template.variables) {
    if (!Object.prototype.hasOwnProperty.call(context, variable) || context[variable] === undefined) {
      throw new TemplateError(`template ${template.file}: missing variable "${variable}"`, template.file, variable);
    }
  }
  try {
    return template.render(context);
  } catch (err) {
    const message = errorMessage(err);
    const missing = /^"([^"]+)" not defined in/.exec(message)?.[1];
    if (missing) {
      throw new TemplateError(`template ${template.file}: missing variable "${missing}"`, template.file, missing, {
        cause: err,
      });
    }
    throw new TemplateError(`template ${template.file}: ${message}`, template.file, undefined, { cause: err });
  }
}

/** Plain-text parts get their blank lines from template layout; normalise them so the result reads cleanly. */
function tidyText(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}

function lookup(name: string, locale: string): Record<Part, CompiledTemplate> {
  const { messages } = getRegistry();
  const byLocale = messages.get(name);
  if (!byLocale) {
    throw new TemplateError(`unknown template "${name}" (available: ${[...messages.keys()].sort().join(', ')})`);
  }
  const parts = isLocale(locale) ? byLocale.get(locale) : undefined;
  if (!parts) {
    throw new TemplateError(
      `template "${name}" has no locale "${locale}" (available locales: ${LOCALES.filter((l) => byLocale.has(l)).join(', ')}; ` +
        `templates: ${[...messages.keys()].sort().join(', ')})`,
    );
  }
  return parts;
}

function shown(value: unknown): string {
  return Array.isArray(value) ? 'a list' : (JSON.stringify(value) ?? String(value));
}

function checkValues(name: string, locale: Locale, context: Record<string, unknown>): void {
  const fail = (variable: string, message: string): never => {
    throw new TemplateError(
      `template ${name}.${locale}: variable "${variable}" ${message}`,
      `${name}.${locale}`,
      variable,
    );
  };
  const oneOf = (allowed: readonly unknown[]) => allowed.map((v) => JSON.stringify(v)).join(', ');

  for (const [variable, allowed] of Object.entries(messageOf(name)?.values ?? {})) {
    const value = context[variable];
    if (allowed && value !== undefined && !allowed.includes(value)) {
      fail(variable, `must be one of ${oneOf(allowed)}, got ${shown(value)}`);
    }
  }

  // Undefined lists and counts are left to run(), which reports them as missing like any other variable.
  for (const [variable, rule] of Object.entries(messageOf(name)?.lists ?? {})) {
    const list = context[variable];
    if (!rule || list === undefined) continue;
    if (!Array.isArray(list)) fail(variable, `must be a list, got ${shown(list)}`);
    (list as unknown[]).forEach((element, index) => {
      const at = `${variable}[${index}]`;
      if (rule.elements === 'string') {
        if (typeof element !== 'string') fail(at, `must be a string, got ${shown(element)}`);
        return;
      }
      if (typeof element !== 'object' || element === null || Array.isArray(element)) {
        fail(at, `must be an object with ${rule.elements.fields.join(', ')}, got ${shown(element)}`);
      }
      const record = element as Record<string, unknown>;
      for (const field of rule.elements.fields) {
        if (record[field] === undefined) fail(`${at}.${field}`, 'is missing');
      }
      for (const [field, allowed] of Object.entries(rule.elements.allowed ?? {})) {
        if (!allowed.includes(record[field])) {
          fail(`${at}.${field}`, `must be one of ${oneOf(allowed)}, got ${shown(record[field])}`);
        }
      }
    });
    for (const [countVariable, match] of Object.entries(rule.counts ?? {})) {
      const count = context[countVariable];
      if (count === undefined) continue;
      const expected = match
        ? (list as Record<string, unknown>[]).filter((element) => element[match.field] === match.value).length
        : (list as unknown[]).length;
      if (count !== expected) {
        const which = match ? ` with ${match.field} ${JSON.stringify(match.value)}` : '';
        fail(countVariable, `must equal the number of ${variable}${which} (${expected}), got ${shown(count)}`);
      }
    }
  }
}

/**
 * Renders one message: subject, HTML (inside the branded layout) and plain-text alternative.
 * `context.unsubscribeUrl`, when given, adds a preferences link to the footer. `context.lang` is always
 * replaced by `locale`.
 */
export function renderMessage(name: string, locale: Locale, context: Record<string, unknown>): RenderedMessage {
  const parts = lookup(name, locale);
  checkValues(name, locale, context);
  // Who reads this copy (the outbox says, per recipient): staff of a pathway get the staff footer and
  // the wording meant for them (a consultant is never told to contact herself).
  const recipientIsStaff = context.recipientKind === 'staff';
  // What to upload and where (activities/upload-guidance.ts): the outbox gives it per recipient; none otherwise.
  const messageContext = { uploadItems: [], uploadUrl: null, ...context, lang: locale, recipientIsStaff };

  // Body parts first: a missing variable is then reported against the part a reader would look at.
  const htmlBody = run(parts.html, messageContext).trim();
  const textBody = tidyText(run(parts.text, messageContext)).trimEnd();
  const subject = run(parts.subject, messageContext).replace(/\s+/g, ' ').trim();

  const { layouts, footers } = getRegistry();
  const declared = audienceOf(name);
  const audience: Audience =
    recipientIsStaff && (declared === 'participant' || declared === 'pathway-team') ? 'consultant' : declared;
  const layoutContext = {
    ...messageContext,
    subject,
    audience,
    unsubscribeUrl: context.unsubscribeUrl ?? null,
  };
  const footer = footers[audience];
  return {
    subject,
    html: run(layouts.html, { ...layoutContext, body: htmlBody, footer: run(footer.html, layoutContext).trim() }),
    text: tidyText(
      run(layouts.text, { ...layoutContext, body: textBody, footer: tidyText(run(footer.text, layoutContext)).trim() }),
    ),
  };
}

export function listTemplates(): TemplateInfo[] {
  const { messages, layouts, footers } = getRegistry();
  return [...messages.keys()].sort().map((name) => {
    const byLocale = messages.get(name)!;
    const audience = audienceOf(name);
    const variables = new Set<string>();
    for (const template of [
      layouts.html,
      layouts.text,
      footers[audience].html,
      footers[audience].text,
      ...[...byLocale.values()].flatMap((p) => PARTS.map((k) => p[k])),
    ]) {
      for (const variable of template.variables) if (!LAYOUT_VARIABLES.has(variable)) variables.add(variable);
    }
    return { name, locales: LOCALES.filter((l) => byLocale.has(l)), variables: [...variables].sort(), audience };
  });
}

/** Realistic data for previews and tests (each message declares its own): dates in the recipient's language. */
export function sampleContext(name: string, locale: Locale): Record<string, unknown> {
  lookup(name, locale);
  const sample = messageOf(name)?.sample(locale);
  if (sample) return sample;
  // A template added to the directory without a declaration still previews, showing the gaps.
  const base: Record<string, unknown> = {
    recipientName: 'Giulia Colombo',
    companyName: 'Officine Meccaniche Brambilla S.r.l.',
    pathwayName: 'Flessibilità oraria e lavoro agile',
    consultantName: 'Francesca Villa',
    enrollmentUrl: 'https://conciliaflow.example/iscrizioni/ISC-2025-0042',
    unsubscribeUrl: 'https://conciliaflow.example/preferenze/ISC-2025-0042',
  };
  return {
    ...base,
    ...Object.fromEntries(
      listTemplates()
        .find((t) => t.name === name)!
        .variables.filter((v) => !(v in base))
        .map((v) => [v, `[${v}]`]),
    ),
  };
}
