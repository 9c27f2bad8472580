import { ICS_CONTENT_TYPE, buildDeadlineIcs, escapeText, foldLine, type DeadlineIcsInput } from '../../mail/ics';

const DUE_AT = Date.UTC(2025, 2, 14, 17, 0); // 18:00 in Milan

const input: DeadlineIcsInput = {
  uid: 'ISC-2025-0042-needs-analysis@conciliaflow.example',
  title: 'Scadenza: «Analisi dei bisogni di conciliazione» – Officine Meccaniche Brambilla S.r.l.',
  description:
    'Attività del percorso «Flessibilità oraria e lavoro agile»; da completare entro venerdì 14 marzo 2025, ore 18:00.\nReferente: Francesca Villa, C:\\documenti',
  dueAt: DUE_AT,
  url: 'https://conciliaflow.example/enrollments/ISC-2025-0042?tab=steps,documents',
  organizerEmail: 'noreply@conciliaflow.example',
};

/** RFC 5545 §3.1 unfolding: CRLF followed by one space or tab joins the lines. */
function unfold(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((line, i, all) => !(i === all.length - 1 && line === ''));
}

function property(lines: string[], name: string): string[] {
  return lines
    .filter((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`))
    .map((l) => l.slice(l.indexOf(':') + 1));
}

/** Inverse of TEXT escaping, as a calendar client reads it. */
function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

describe('buildDeadlineIcs', () => {
  const ics = buildDeadlineIcs(input);
  const lines = unfold(ics);

  it('is one VCALENDAR with one VEVENT and one VALARM, properly nested', () => {
    const structure = lines.filter((l) => l.startsWith('BEGIN:') || l.startsWith('END:'));
    expect(structure).toEqual([
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'BEGIN:VALARM',
      'END:VALARM',
      'END:VEVENT',
      'END:VCALENDAR',
    ]);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    expect(property(lines, 'VERSION')).toEqual(['2.0']);
    expect(property(lines, 'METHOD')).toEqual(['PUBLISH']);
    expect(property(lines, 'PRODID')).toEqual(['-//ConciliaFlow//Scadenze dei percorsi//IT']);
    expect(ICS_CONTENT_TYPE).toContain('method=PUBLISH');
  });

  it('ends every line with CRLF and has no bare line feeds', () => {
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('folds lines at 75 octets without splitting UTF-8 characters', () => {
    const physical = ics.split('\r\n').slice(0, -1);
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    for (const line of physical) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    // Reassembled bytes decode to the same text: no multi-byte character was cut.
    expect(Buffer.from(ics, 'utf8').toString('utf8')).toBe(ics);
    expect(property(lines, 'SUMMARY')[0]).toContain('«Analisi dei bisogni di conciliazione» – Officine');
  });

  it('places a 30-minute slot ending at the deadline, in UTC', () => {
    expect(property(lines, 'DTSTART')).toEqual(['20250314T163000Z']);
    expect(property(lines, 'DTEND')).toEqual(['20250314T170000Z']);
    expect(property(lines, 'DTSTAMP')).toEqual(['20250314T170000Z']);
    expect(property(lines, 'TRIGGER')).toEqual(['-P1D']);
    expect(property(lines, 'UID')).toEqual([input.uid]);
    expect(property(lines, 'SEQUENCE')).toEqual(['0']);
  });

  it('escapes TEXT values and leaves the URL a usable URI', () => {
    const [description] = property(lines, 'DESCRIPTION');
    expect(description).toBe(
      'Attività del percorso «Flessibilità oraria e lavoro agile»\\; da completare entro venerdì 14 marzo 2025\\, ore 18:00.\\nReferente: Francesca Villa\\, C:\\\\documenti',
    );
    expect(unescapeText(description!)).toBe(input.description);
    expect(unescapeText(property(lines, 'SUMMARY')[0]!)).toBe(input.title);
    expect(property(lines, 'URL')).toEqual([input.url]);
    expect(property(lines, 'ORGANIZER')).toEqual(['mailto:noreply@conciliaflow.example']);
    // The alarm repeats the title so the pop-up says what is due.
    expect(property(lines, 'DESCRIPTION')[1]).toBe(property(lines, 'SUMMARY')[0]);
  });

  it('is deterministic, and changes only where the input does', () => {
    expect(buildDeadlineIcs({ ...input })).toBe(ics);
    const extended = unfold(buildDeadlineIcs({ ...input, dueAt: DUE_AT + 7 * 86_400_000, sequence: 1 }));
    expect(property(extended, 'UID')).toEqual([input.uid]);
    expect(property(extended, 'SEQUENCE')).toEqual(['1']);
    expect(property(extended, 'DTEND')).toEqual(['20250321T170000Z']);
    const stamped = unfold(buildDeadlineIcs({ ...input, dtstamp: Date.UTC(2025, 2, 1, 8, 15, 30, 999) }));
    expect(property(stamped, 'DTSTAMP')).toEqual(['20250301T081530Z']);
  });

  it('keeps CR/LF and control characters out of the property lines', () => {
    const hostile = buildDeadlineIcs({
      ...input,
      title: 'Titolo\r\nATTENDEE:mailto:x@evil.example\u0007',
      description: 'riga 1\rriga 2',
      url: 'https://conciliaflow.example/a b\r\nX-INJECT:1',
    });
    const hostileLines = unfold(hostile);
    expect(hostileLines.some((l) => l.startsWith('ATTENDEE') || l.startsWith('X-INJECT'))).toBe(false);
    expect(property(hostileLines, 'SUMMARY')).toEqual(['Titolo\\nATTENDEE:mailto:x@evil.example']);
    expect(property(hostileLines, 'DESCRIPTION')[0]).toBe('riga 1\\nriga 2');
    expect(property(hostileLines, 'URL')).toEqual(['https://conciliaflow.example/a%20bX-INJECT:1']);
  });

  it('rejects inputs that cannot make a valid event', () => {
    expect(() => buildDeadlineIcs({ ...input, uid: ' ' })).toThrow('uid must be a non-empty string');
    expect(() => buildDeadlineIcs({ ...input, dueAt: Number.NaN })).toThrow(RangeError);
    expect(() => buildDeadlineIcs({ ...input, dueAt: 1.5e12 + 0.5 })).toThrow('dueAt must be epoch milliseconds');
    expect(() => buildDeadlineIcs({ ...input, sequence: -1 })).toThrow('sequence must be a non-negative integer');
    expect(() => buildDeadlineIcs({ ...input, url: 'javascript:alert(1)' })).toThrow('url must be http(s)');
    expect(() => buildDeadlineIcs({ ...input, url: 'not a url' })).toThrow('url is not a valid URL');
    expect(() => buildDeadlineIcs({ ...input, organizerEmail: 'a@b.example\r\nX:1' })).toThrow(
      'organizerEmail is not a plain email address',
    );
  });
});

describe('escapeText and foldLine', () => {
  it('escapes backslash before the characters it introduces', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
    expect(escapeText('tab\tkept')).toBe('tab\tkept');
  });

  it('leaves short lines alone and splits long ones at 75 then 74 + space', () => {
    expect(foldLine('SUMMARY:breve')).toBe('SUMMARY:breve');
    const long = 'X'.repeat(200);
    const parts = foldLine(long).split('\r\n');
    expect(parts.map((p) => p.length)).toEqual([75, 75, 52]);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(long);
  });

  it('counts octets, not characters', () => {
    const folded = foldLine('SUMMARY:' + 'è'.repeat(60)).split('\r\n');
    expect(folded.map((p) => Buffer.byteLength(p, 'utf8'))).toEqual([74, 55]);
    expect(folded.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe('SUMMARY:' + 'è'.repeat(60));
  });
});
