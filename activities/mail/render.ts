import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatDate, formatDueAt } from './format';
import { MAIL_HELPER_NAMES, registerMailHelpers } from './helpers';

export type Locale = 'it' | 'en';
export const LOCALES: readonly Locale[] = ['it', 'en'];
export const DEFAULT_LOCALE: Locale = 'it';

/** The messages the templates directory provides; listTemplates() is checked against this list in the tests. */
export const MESSAGE_NAMES = [
  'enrollment-welcome',
  'step-reminder',
  'step-overdue',
  'escalation-consultant',
  'step-completed',
  'pathway-completed',
  'programme-end-warning',
  'pathway-expired',
  'step-reopened',
  'due-date-extended',
  'consultant-assigned',
  'enrollment-withdrawn',
  'delivery-failed',
  'digest-consultant',
  'digest-coordinator',
  'report-delivery',
] as const;
export type MessageName = (typeof MESSAGE_NAMES)[number];

/**
 * Who a message is for, which decides the "why you get this email" line of the footer. Each audience has a
 * footer in templates/footers/<audience>.<html|text>.hbs; digests and reports concern no single enrollment,
 * so their footers do not need companyName and pathwayName.
 */
export const AUDIENCES = [
  'participant',
  'consultant',
  /** Sent alike to the company's contact people and its consultant. */
  'pathway-team',
  'consultant-digest',
  'coordinator',
  'report-recipient',
] as const;
export type Audience = (typeof AUDIENCES)[number];

const MESSAGE_AUDIENCE: Record<MessageName, Audience> = {
  'enrollment-welcome': 'participant',
  'step-reminder': 'participant',
  'step-overdue': 'participant',
  'escalation-consultant': 'consultant',
  'step-completed': 'participant',
  'pathway-completed': 'participant',
  'programme-end-warning': 'pathway-team',
  'pathway-expired': 'pathway-team',
  'step-reopened': 'participant',
  'due-date-extended': 'participant',
  'consultant-assigned': 'consultant',
  'enrollment-withdrawn': 'pathway-team',
  'delivery-failed': 'consultant',
  'digest-consultant': 'consultant-digest',
  'digest-coordinator': 'coordinator',
  'report-delivery': 'report-recipient',
};

/** Statuses of a consultant digest item, in the order the digest shows its groups. */
export const DIGEST_STATUSES = ['overdue', 'due-today', 'due-soon'] as const;
export type DigestStatus = (typeof DIGEST_STATUSES)[number];

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
]);

/**
 * A misspelt enum value would silently pick the {{else}} branch of a template, so the few
 * variables that switch wording are checked before rendering.
 */
const ALLOWED_VALUES: Record<string, Record<string, readonly unknown[]>> = {
  'step-reminder': { when: ['before', 'due-today'] },
};

interface ListRule {
  /** Each element is a string, or an object with these keys (present and not undefined; null is "none"). */
  elements: 'string' | { fields: readonly string[]; allowed?: Record<string, readonly unknown[]> };
  /**
   * Count variables shown next to the list. They must match the list, else a digest would announce "2 overdue"
   * and show three. Each maps to the {field, value} of the elements it counts, or to undefined to count them all.
   */
  counts?: Record<string, { field: string; value: unknown } | undefined>;
}

/**
 * Strict mode only checks fields of list elements that get printed, and a misspelt status would drop an item
 * from every group without a word, so lists are checked in full before rendering.
 */
const LIST_VARIABLES: Record<string, Record<string, ListRule>> = {
  'digest-consultant': {
    items: {
      elements: {
        fields: ['companyName', 'pathwayName', 'stepName', 'dueAt', 'status', 'enrollmentUrl'],
        allowed: { status: DIGEST_STATUSES },
      },
      counts: {
        overdueCount: { field: 'status', value: 'overdue' },
        dueTodayCount: { field: 'status', value: 'due-today' },
        dueSoonCount: { field: 'status', value: 'due-soon' },
      },
    },
  },
  'digest-coordinator': {
    items: {
      elements: {
        fields: ['companyName', 'pathwayName', 'stepName', 'dueAt', 'daysOverdue', 'consultantName', 'enrollmentUrl'],
      },
      counts: { overdueCount: undefined },
    },
  },
  'report-delivery': { highlights: { elements: 'string' } },
};

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
  // A template added to the directory but not to MESSAGE_NAMES still renders, as the commonest kind of message.
  return MESSAGE_AUDIENCE[name as MessageName] ?? 'participant';
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

  for (const [variable, allowed] of Object.entries(ALLOWED_VALUES[name] ?? {})) {
    const value = context[variable];
    if (value !== undefined && !allowed.includes(value)) {
      fail(variable, `must be one of ${oneOf(allowed)}, got ${shown(value)}`);
    }
  }

  // Undefined lists and counts are left to run(), which reports them as missing like any other variable.
  for (const [variable, rule] of Object.entries(LIST_VARIABLES[name] ?? {})) {
    const list = context[variable];
    if (list === undefined) continue;
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
  const messageContext = { ...context, lang: locale };

  // Body parts first: a missing variable is then reported against the part a reader would look at.
  const htmlBody = run(parts.html, messageContext).trim();
  const textBody = tidyText(run(parts.text, messageContext)).trimEnd();
  const subject = run(parts.subject, messageContext).replace(/\s+/g, ' ').trim();

  const { layouts, footers } = getRegistry();
  const audience = audienceOf(name);
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

/** Realistic data for previews and tests: SMEs of the Lecco and Brianza area, dates in the recipient's language. */
export function sampleContext(name: string, locale: Locale): Record<string, unknown> {
  lookup(name, locale);
  const it = locale === 'it';
  const dueAt = new Date('2025-03-14T16:00:00Z'); // 17:00 in Milan
  const completedAt = new Date('2025-03-12T10:30:00Z');
  const nextDueAt = new Date('2025-04-11T15:00:00Z'); // 17:00 in Milan, summer time
  const programmeEndAt = new Date('2025-12-31T17:00:00Z'); // 18:00 in Milan
  const base: Record<string, unknown> = {
    recipientName: 'Giulia Colombo',
    companyName: 'Officine Meccaniche Brambilla S.r.l.',
    pathwayName: 'Flessibilità oraria e lavoro agile',
    consultantName: 'Francesca Villa',
    enrollmentUrl: 'https://conciliaflow.example/iscrizioni/ISC-2025-0042',
    unsubscribeUrl: 'https://conciliaflow.example/preferenze/ISC-2025-0042',
  };
  // Digests and reports are about many enrollments: no company, pathway or enrollment link of their own.
  const network = (recipientName: string): Record<string, unknown> => ({
    recipientName,
    unsubscribeUrl: `https://conciliaflow.example/preferenze/${recipientName.toLowerCase().replace(/\s+/g, '.')}`,
  });
  const enrollmentUrl = (n: number) => `https://conciliaflow.example/iscrizioni/ISC-2025-${String(n).padStart(4, '0')}`;
  switch (name) {
    case 'enrollment-welcome':
      return { ...base, stepName: 'Analisi dei bisogni di conciliazione', dueAt: formatDueAt(dueAt, locale) };
    case 'step-reminder':
      return {
        ...base,
        when: 'before',
        stepName: 'Questionario sui bisogni del personale',
        dueAt: formatDueAt(dueAt, locale),
      };
    case 'step-overdue':
      return { ...base, stepName: 'Questionario sui bisogni del personale', dueAt: formatDueAt(dueAt, locale) };
    case 'escalation-consultant':
      return {
        ...base,
        recipientName: 'Francesca Villa',
        stepName: 'Questionario sui bisogni del personale',
        dueAt: formatDueAt(dueAt, locale),
        daysOverdue: 3,
      };
    case 'step-completed':
      return {
        ...base,
        stepName: 'Analisi dei bisogni di conciliazione',
        completedBy: 'Luca Brambilla',
        completedAt: formatDate(completedAt, locale),
        nextStepName: 'Piano aziendale di conciliazione',
        nextStepDueAt: formatDueAt(nextDueAt, locale),
      };
    case 'pathway-completed':
      return { ...base, completedAt: formatDate(new Date('2025-06-27T09:00:00Z'), locale) };
    case 'programme-end-warning':
      return {
        ...base,
        programmeName: 'Piani territoriali di conciliazione 2024-2025',
        programmeEndAt: formatDueAt(programmeEndAt, locale),
        openSteps: 'Piano aziendale di conciliazione, Adozione del piano',
        workingDaysLeft: 12,
      };
    case 'pathway-expired':
      return { ...base, stepName: 'Adozione del piano', expiredAt: formatDueAt(programmeEndAt, locale) };
    case 'step-reopened':
      return {
        ...base,
        stepName: 'Analisi dei bisogni di conciliazione',
        actorName: 'Francesca Villa',
        reason: it
          ? 'Nel report manca la sezione sui turni del reparto produzione.'
          : 'The report lacks the section on the production shifts.',
        dueAt: formatDueAt(nextDueAt, locale),
      };
    case 'due-date-extended':
      return {
        ...base,
        stepName: 'Questionario sui bisogni del personale',
        previousDueAt: formatDueAt(dueAt, locale),
        dueAt: formatDueAt(nextDueAt, locale),
        reason: it ? 'Chiusura dello stabilimento per inventario.' : 'The plant is closed for stocktaking.',
        actorName: 'Francesca Villa',
      };
    case 'consultant-assigned':
      return {
        ...base,
        recipientName: 'Paolo Invernizzi',
        stepName: 'Questionario sui bisogni del personale',
        dueAt: formatDueAt(dueAt, locale),
      };
    case 'enrollment-withdrawn':
      return {
        ...base,
        reason: it
          ? "Riorganizzazione aziendale: l'impresa parteciperà al prossimo programma."
          : 'Company reorganisation: the company will join the next programme.',
        withdrawnAt: formatDueAt(new Date('2025-03-18T10:30:00Z'), locale),
      };
    case 'delivery-failed':
      return {
        ...base,
        recipientName: 'Francesca Villa',
        failedRecipient: 'Luca Brambilla',
        failedEmail: 'luca.brambilla@brambilla.example',
        smtpError: '550 5.1.1 <luca.brambilla@brambilla.example>: Recipient address rejected: User unknown',
        failedSubject: it
          ? 'Promemoria: «Questionario sui bisogni del personale» da completare entro venerdì 14 marzo 2025, ore 17:00 – Officine Meccaniche Brambilla S.r.l.'
          : 'Reminder: “Questionario sui bisogni del personale” is due by Friday 14 March 2025 at 17:00 – Officine Meccaniche Brambilla S.r.l.',
      };
    case 'digest-consultant': {
      const item = (
        n: number,
        companyName: string,
        pathwayName: string,
        stepName: string,
        at: string,
        status: string,
      ) => ({
        companyName,
        pathwayName,
        stepName,
        dueAt: formatDueAt(new Date(at), locale),
        status,
        enrollmentUrl: enrollmentUrl(n),
      });
      return {
        ...network('Francesca Villa'),
        digestDate: formatDate(dueAt, locale),
        items: [
          item(
            42,
            'Officine Meccaniche Brambilla S.r.l.',
            'Flessibilità oraria e lavoro agile',
            'Questionario sui bisogni del personale',
            '2025-03-11T17:00:00Z',
            'overdue',
          ),
          item(
            57,
            'Tessitura Brianzola S.r.l.',
            'Piani di congedo e flessibilità',
            'Formazione dei responsabili',
            '2025-03-07T17:00:00Z',
            'overdue',
          ),
          item(
            61,
            'Caseificio Valsassina S.n.c.',
            'Piani di congedo e flessibilità',
            'Incontro di avvio',
            '2025-03-14T17:00:00Z',
            'due-today',
          ),
          item(
            63,
            'Studio Associato Fumagalli',
            'Flessibilità oraria e lavoro agile',
            'Analisi dei bisogni di conciliazione',
            '2025-03-18T17:00:00Z',
            'due-soon',
          ),
          item(
            70,
            'Cooperativa Sociale Il Girasole',
            'Piani di congedo e flessibilità',
            'Piano aziendale di conciliazione',
            '2025-03-20T17:00:00Z',
            'due-soon',
          ),
        ],
        overdueCount: 2,
        dueTodayCount: 1,
        dueSoonCount: 2,
      };
    }
    case 'digest-coordinator': {
      const item = (
        n: number,
        companyName: string,
        stepName: string,
        at: string,
        daysOverdue: number,
        consultantName: string,
      ) => ({
        companyName,
        pathwayName: 'Piani di congedo e flessibilità',
        stepName,
        dueAt: formatDueAt(new Date(at), locale),
        daysOverdue,
        consultantName,
        enrollmentUrl: enrollmentUrl(n),
      });
      return {
        ...network('Elena Sala'),
        networkName: 'ATS Brianza',
        weekOf: formatDate(new Date('2025-03-10T08:00:00Z'), locale),
        items: [
          item(
            57,
            'Tessitura Brianzola S.r.l.',
            'Formazione dei responsabili',
            '2025-02-28T17:00:00Z',
            8,
            'Francesca Villa',
          ),
          item(
            48,
            'Mobilificio Cantù S.p.A.',
            'Piano aziendale di conciliazione',
            '2025-03-07T17:00:00Z',
            3,
            'Paolo Invernizzi',
          ),
          item(66, 'Panificio Redaelli S.n.c.', 'Incontro di avvio', '2025-03-11T17:00:00Z', 1, 'Francesca Villa'),
        ],
        overdueCount: 3,
      };
    }
    case 'report-delivery':
      return {
        ...network('Elena Sala'),
        networkName: 'ATS Brianza',
        reportName: it ? 'Avanzamento dei percorsi' : 'Pathway progress',
        periodLabel: it ? 'primo trimestre 2025' : 'first quarter 2025',
        highlights: it
          ? [
              '18 imprese con un percorso attivo, 3 in più rispetto al trimestre precedente',
              '41 attività completate, di cui 36 entro la scadenza',
              '2 percorsi completati',
            ]
          : [
              '18 companies with an active pathway, 3 more than in the previous quarter',
              '41 steps completed, 36 of them on time',
              '2 pathways completed',
            ],
      };
    default:
      // A template added to the directory without sample data still previews, showing the gaps.
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
}
