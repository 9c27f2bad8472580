import type Handlebars from 'handlebars';
import { formatEuro } from '../domain/money';
import type { Locale } from '../domain/locale';

/**
 * Helpers available to every mail template. Templates are compiled with knownHelpersOnly, so a helper must be
 * listed here to be usable at all; each one checks its arguments and throws, because a template that silently
 * printed "" or "NaN €" would go out to a company unnoticed.
 *
 * - `{{eq a b}}`: strict equality, for `{{#if (eq when "due-today")}}`.
 * - `{{euro cents}}`: integer euro cents as '1.234,56 €' (it) or '€1,234.56' (en). The locale is the root context's
 *   `lang`, which render.ts sets for every part it renders (message parts, footer, layout), so callers never pass
 *   it and a template cannot format an amount in a language other than the email's.
 * - `{{plural count "singular" "plural"}}`: the form for `count` (1 is singular, anything else plural, which holds
 *   for Italian and English alike). Only the word is returned, so a template can agree a verb as well as a noun:
 *   `{{n}} {{plural n "percorso" "percorsi"}} {{plural n "ha" "hanno"}}`.
 * - `{{#each (where list "field" value)}}`: the elements of `list` whose `field` equals `value`, for grouping.
 */
export const MAIL_HELPER_NAMES = ['eq', 'euro', 'plural', 'where'] as const;

type HelperBody = (args: unknown[], options: Handlebars.HelperOptions) => unknown;

/** Handlebars appends its options object to the arguments; a wrong argument count is a template bug, so it throws. */
function helper(name: string, usage: string, arity: number, body: HelperBody): Handlebars.HelperDelegate {
  return (...all: unknown[]) => {
    const options = all.pop() as Handlebars.HelperOptions;
    if (all.length !== arity) throw new Error(`helper ${name}: expected ${usage}, got ${all.length} argument(s)`);
    return body(all, options);
  };
}

function rootLang(name: string, options: Handlebars.HelperOptions): Locale {
  const lang = (options.data as { root?: { lang?: unknown } } | undefined)?.root?.lang;
  if (lang !== 'it' && lang !== 'en') {
    throw new Error(`helper ${name}: the root context has no "lang" ("it" or "en"), got ${JSON.stringify(lang)}`);
  }
  return lang;
}

const HELPERS: Record<(typeof MAIL_HELPER_NAMES)[number], Handlebars.HelperDelegate> = {
  eq: helper('eq', '{{eq a b}}', 2, ([a, b]) => a === b),
  euro: helper('euro', '{{euro cents}}', 1, ([cents], options) =>
    // formatEuro rejects fractional, negative and non-numeric amounts itself.
    formatEuro(cents as number, rootLang('euro', options)),
  ),
  plural: helper('plural', '{{plural count "singular" "plural"}}', 3, ([count, one, many]) => {
    if (typeof count !== 'number' || !Number.isFinite(count)) {
      throw new Error(`helper plural: count must be a number, got ${JSON.stringify(count)}`);
    }
    if (typeof one !== 'string' || typeof many !== 'string') {
      throw new Error('helper plural: the singular and plural forms must be strings');
    }
    return count === 1 ? one : many;
  }),
  where: helper('where', '(where list "field" value)', 3, ([list, field, value]) => {
    if (!Array.isArray(list)) throw new Error(`helper where: expected a list, got ${JSON.stringify(list)}`);
    if (typeof field !== 'string') throw new Error('helper where: the field name must be a string');
    return list.filter(
      (item: unknown) =>
        typeof item === 'object' && item !== null && (item as Record<string, unknown>)[field] === value,
    );
  }),
};

export function registerMailHelpers(hb: typeof Handlebars): void {
  for (const name of MAIL_HELPER_NAMES) hb.registerHelper(name, HELPERS[name]);
}
