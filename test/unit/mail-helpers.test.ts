import Handlebars from 'handlebars';
import { MAIL_HELPER_NAMES, registerMailHelpers } from '../../mail/helpers';

function compile(source: string): Handlebars.TemplateDelegate {
  const hb = Handlebars.create();
  registerMailHelpers(hb);
  return hb.compile(source, {
    strict: true,
    knownHelpers: Object.fromEntries(MAIL_HELPER_NAMES.map((n) => [n, true])),
    knownHelpersOnly: true,
  });
}

describe('euro', () => {
  const euro = compile('{{euro cents}}');

  it('formats integer cents in the root context language', () => {
    expect(euro({ lang: 'it', cents: 123456 })).toBe('1.234,56 €');
    expect(euro({ lang: 'en', cents: 123456 })).toBe('€1,234.56');
    expect(euro({ lang: 'it', cents: 5 })).toBe('0,05 €');
    expect(euro({ lang: 'it', cents: 1234567890 })).toBe('12.345.678,90 €');
  });

  it('reads the language from the root context inside loops', () => {
    const rows = compile('{{#each rows}}[{{euro this}}]{{/each}}');
    expect(rows({ lang: 'en', rows: [100, 250000] })).toBe('[€1.00][€2,500.00]');
  });

  it('refuses amounts that are not whole cents and contexts without a language', () => {
    expect(() => euro({ lang: 'it', cents: 12.5 })).toThrow('Invalid amount 12.5');
    expect(() => euro({ lang: 'it', cents: '1234' })).toThrow('Invalid amount "1234"');
    expect(() => euro({ lang: 'it', cents: -1 })).toThrow('Invalid amount -1');
    expect(() => euro({ cents: 100 })).toThrow(
      'helper euro: the root context has no "lang" ("it" or "en"), got undefined',
    );
    expect(() => euro({ lang: 'fr', cents: 100 })).toThrow('got "fr"');
    expect(() => compile('{{euro cents "it"}}')({ lang: 'it', cents: 1 })).toThrow(
      'helper euro: expected {{euro cents}}, got 2 argument(s)',
    );
  });
});

describe('plural', () => {
  const days = compile('{{n}} {{plural n "giorno" "giorni"}}');

  it('picks the singular for exactly one and the plural otherwise', () => {
    expect(days({ n: 1 })).toBe('1 giorno');
    expect(days({ n: 0 })).toBe('0 giorni');
    expect(days({ n: 3 })).toBe('3 giorni');
  });

  it('refuses a count that is not a number and a missing form', () => {
    expect(() => days({ n: '1' })).toThrow('helper plural: count must be a number, got "1"');
    expect(() => days({ n: null })).toThrow('count must be a number, got null');
    expect(() => compile('{{plural n "giorno"}}')({ n: 1 })).toThrow(
      'helper plural: expected {{plural count "singular" "plural"}}, got 2 argument(s)',
    );
  });
});

describe('where', () => {
  it('keeps the elements whose field equals the value, in order', () => {
    const t = compile('{{#each (where items "status" "overdue")}}{{name}};{{else}}none{{/each}}');
    const items = [
      { name: 'a', status: 'overdue' },
      { name: 'b', status: 'due-soon' },
      { name: 'c', status: 'overdue' },
    ];
    expect(t({ items })).toBe('a;c;');
    expect(t({ items: [] })).toBe('none');
    expect(() => t({ items: 'x' })).toThrow('helper where: expected a list, got "x"');
  });
});

describe('eq', () => {
  it('compares strictly', () => {
    const t = compile('{{#if (eq a b)}}same{{else}}different{{/if}}');
    expect(t({ a: 1, b: 1 })).toBe('same');
    expect(t({ a: 1, b: '1' })).toBe('different');
  });
});
