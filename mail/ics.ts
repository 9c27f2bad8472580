/**
 * Calendar attachment for a step deadline (RFC 5545), so participants can put it in their own calendar.
 * Output depends on the input only: the outbox stores rendered messages and a retried activity must
 * produce the same bytes, so nothing here reads the clock.
 */

export interface DeadlineIcsInput {
  /** Stable per deadline (e.g. enrollment + step): a re-sent invitation with the same uid updates the event. */
  uid: string;
  title: string;
  description: string;
  /** Epoch ms of the deadline; the event is the 30 minutes that end there. */
  dueAt: number;
  /** http(s) link to the pathway page. */
  url: string;
  organizerEmail: string;
  /** Bump when the deadline changes (extension, reopening) so calendars replace the earlier version. Default 0. */
  sequence?: number;
  /** Epoch ms for DTSTAMP; defaults to dueAt, which keeps the output a pure function of the deadline. */
  dtstamp?: number;
}

/** MIME type for the attachment; method must match the METHOD property for Outlook to offer "add to calendar". */
export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8; method=PUBLISH';

export const ICS_PRODID = '-//ConciliaFlow//Scadenze dei percorsi//IT';

const SLOT_MS = 30 * 60 * 1000;
const CRLF = '\r\n';
const MAX_OCTETS = 75;

/** RFC 5545 §3.3.11: backslash, semicolon, comma and line breaks are escaped; other control characters are not allowed. */
export function escapeText(value: string): string {
  return (
    value
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\n/g, '\\n')
  );
}

/**
 * RFC 5545 §3.1: lines longer than 75 octets are split with CRLF + space. Splits fall between code points,
 * never inside a UTF-8 sequence, so "è" or "«" is never cut in half.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // Continuation lines start with a space, which counts towards their 75 octets.
    const limit = out.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join(`${CRLF} `);
}

function utcStamp(epochMs: number): string {
  // 2025-03-14T16:00:00.000Z -> 20250314T160000Z; seconds are enough for a calendar.
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function assertEpochMs(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < SLOT_MS) {
    throw new RangeError(`buildDeadlineIcs: ${name} must be epoch milliseconds, got ${JSON.stringify(value)}`);
  }
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`buildDeadlineIcs: ${name} must be a non-empty string`);
  }
  return value;
}

/**
 * URL is a URI value, not TEXT: backslash-escaping its commas would change the address, so instead it is
 * normalised by the WHATWG parser (which percent-encodes spaces and drops line breaks) and must be http(s).
 */
function normaliseUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new TypeError(`buildDeadlineIcs: url is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`buildDeadlineIcs: url must be http(s), got ${parsed.protocol}`);
  }
  return parsed.href;
}

function normaliseEmail(value: string): string {
  // Goes into a mailto: URI inside a property line: anything that could end the value or the line is refused.
  if (!/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/.test(value)) {
    throw new TypeError(`buildDeadlineIcs: organizerEmail is not a plain email address: ${JSON.stringify(value)}`);
  }
  return value;
}

/** A VCALENDAR with one VEVENT for the deadline and a reminder one day before. Lines end in CRLF. */
export function buildDeadlineIcs(input: DeadlineIcsInput): string {
  const uid = requireText(input.uid, 'uid');
  const title = requireText(input.title, 'title');
  if (typeof input.description !== 'string') throw new TypeError('buildDeadlineIcs: description must be a string');
  const description = input.description;
  assertEpochMs(input.dueAt, 'dueAt');
  const dtstamp = input.dtstamp ?? input.dueAt;
  assertEpochMs(dtstamp, 'dtstamp');
  const sequence = input.sequence ?? 0;
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw new RangeError(`buildDeadlineIcs: sequence must be a non-negative integer, got ${JSON.stringify(sequence)}`);
  }
  const url = normaliseUrl(requireText(input.url, 'url'));
  const organizer = normaliseEmail(requireText(input.organizerEmail, 'organizerEmail'));

  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${ICS_PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeText(uid)}`,
    `SEQUENCE:${sequence}`,
    `DTSTAMP:${utcStamp(dtstamp)}`,
    `DTSTART:${utcStamp(input.dueAt - SLOT_MS)}`,
    `DTEND:${utcStamp(input.dueAt)}`,
    `SUMMARY:${escapeText(title)}`,
    `DESCRIPTION:${escapeText(description)}`,
    `URL:${url}`,
    `ORGANIZER:mailto:${organizer}`,
    'STATUS:CONFIRMED',
    // A deadline, not a meeting: it should not mark the person busy.
    'TRANSP:TRANSPARENT',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${escapeText(title)}`,
    // Relative to DTSTART: Outlook ignores RELATED=END, and 30 minutes more notice does no harm.
    'TRIGGER:-P1D',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}
