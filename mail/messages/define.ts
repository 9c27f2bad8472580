/**
 * The shape of one message declaration. Everything the service needs to know about an email lives
 * in its declaration (who it is for, whether opting out covers it, when it may go, the deadline it
 * carries, what its context holds); render.ts, the outbox, the dispatcher and the preferences read
 * it from here, so adding an email is one declaration plus its templates.
 */
import { z } from 'zod';
import type { Text } from '../../domain/catalogue';
import type { Locale } from '../render';

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
  /** The holder of an address that asked for, or was given, an account link (invitation, reset, confirmation). */
  'account',
  /** The Region's administrators (requests escalated to them). */
  'region',
] as const;
export type Audience = (typeof AUDIENCES)[number];

/** A text for the reader: the same string in both languages, or `{it, en}` picked by the recipient's locale. */
export const text = z.union([z.string(), z.object({ it: z.string(), en: z.string() })]);

/**
 * A moment under a key ending in "At": epoch ms, formatted by the outbox as a Rome date-time in the
 * recipient's language, or a string already formatted ('' when there is none).
 */
export const instant = z.union([z.number(), z.string()]);

/** What every message about one enrollment carries; consultantEmail lets the outbox tell the consultant of a bounce. */
export const enrollment = {
  companyName: text,
  pathwayName: text,
  consultantName: z.string(),
  consultantEmail: z.string(),
};
export type EnrollmentContext = z.input<z.ZodObject<typeof enrollment>>;

/**
 * What the outbox adds for each recipient (and render.ts's samples provide): never part of a
 * message's declared context.
 */
export const RECIPIENT_VARIABLES = ['recipientName', 'enrollmentUrl', 'unsubscribeUrl'] as const;
export type RecipientVariables = {
  recipientName: string;
  enrollmentUrl?: string;
  unsubscribeUrl?: string | null;
};

export interface ListRule {
  /** Each element is a string, or an object with these keys (present and not undefined; null is "none"). */
  elements: 'string' | { fields: readonly string[]; allowed?: Record<string, readonly unknown[]> };
  /**
   * Count variables shown next to the list. They must match the list, else a digest would announce "2 overdue"
   * and show three. Each maps to the {field, value} of the elements it counts, or to undefined to count them all.
   */
  counts?: Record<string, { field: string; value: unknown } | undefined>;
}

type Key<S extends z.ZodObject> = keyof z.input<S> & string;

/** Staff roles a message may be addressed to. */
export type StaffRole = 'consultant' | 'coordinator' | 'admin';

/**
 * Who a message reaches and what each of them can do with it. Participants read it with their
 * personal link (the call to action above is theirs); staff with the dashboard link, under
 * `staffCallToAction` (null: no button for them).
 */
export interface Recipients {
  /** 'step': the participants the step involves (domain/participation.ts); 'all': every current one. */
  participants?: 'step' | 'all';
  staff?: StaffRole[];
  staffCallToAction?: Text | null;
}

export interface MessageDefinition<N extends string = string, S extends z.ZodObject = z.ZodObject> {
  /** The templates are templates/<name>.<it|en>.<subject|html|text>.hbs. */
  name: N;
  audience: Audience;
  /** Who gets it, by role, and their calls to action (absent: as `audience` says, one reader). */
  recipients?: Recipients;
  /** Goes whatever the recipient's preferences: opting out covers only the messages that are not. */
  essential: boolean;
  /**
   * 'office-hours': planned inside a send window (working day, office hours, Europe/Rome), and held for
   * the next one when it runs late outside it; 'any-time': goes as soon as it is caused.
   */
  window: 'office-hours' | 'any-time';
  /** A message about a date carries an .ics: the context key of the deadline and of what is due. */
  deadline: { at: Key<S>; title: Key<S> } | null;
  /** The label of the message's button (templates/partials/button.hbs), or null for a message without one. */
  callToAction: Text | null;
  /** What the sender provides; the outbox localises it (texts, instants) and adds the recipient's variables. */
  context: S;
  /** A misspelt enum value would silently pick the {{else}} branch of a template: these are checked before rendering. */
  values?: Partial<Record<Key<S>, readonly unknown[]>>;
  /**
   * Strict mode only checks fields of list elements that get printed, and a misspelt status would drop an item
   * from every group without a word, so lists are checked in full before rendering.
   */
  lists?: Partial<Record<Key<S>, ListRule>>;
  /** Realistic data, already localised, for previews and tests. */
  sample: (locale: Locale) => z.input<S> & RecipientVariables;
}

/** Declares a message; the literal name becomes a TemplateName and the schema its context type. */
export function defineMessage<const N extends string, S extends z.ZodObject>(
  definition: MessageDefinition<N, S>,
): MessageDefinition<N, S> {
  return definition;
}

/** The keys of an object schema, in declaration order. */
export function fieldsOf(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}
