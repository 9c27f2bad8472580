import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { localizeContext, WINDOWED_TEMPLATES } from '../../activities/outbox';
import {
  instant,
  MESSAGE_NAMES,
  MESSAGES,
  messageOf,
  RECIPIENT_VARIABLES,
  text,
  type TemplateName,
} from '../../mail/messages';
import { LOCALES, listTemplates, renderMessage } from '../../mail/render';
import type { NotifyInput } from '../../activities/types';

const MAIL_DIR = path.join(__dirname, '../../mail');
/** Declared for the outbox, not for the templates: the consultant's bounce notice and the escalation digest. */
const READ_BY_THE_OUTBOX = new Set(['consultantName', 'consultantEmail']);

const cases = MESSAGE_NAMES.flatMap((name) => LOCALES.map((locale) => [name, locale] as const));
const shapeOf = (name: TemplateName) => MESSAGES[name].context.shape as Record<string, unknown>;

describe('the message registry', () => {
  it('declares each message in messages/<name>.ts, once', () => {
    const files = fs
      .readdirSync(path.join(MAIL_DIR, 'messages'))
      .filter((f) => !['define.ts', 'samples.ts', 'index.ts'].includes(f))
      .map((f) => f.replace(/\.ts$/, ''));
    expect([...files].sort()).toEqual([...MESSAGE_NAMES].sort());
    expect(new Set(MESSAGE_NAMES).size).toBe(MESSAGE_NAMES.length);
    for (const name of MESSAGE_NAMES) expect(MESSAGES[name].name).toBe(name);
  });

  it('has the subject, HTML and text templates of every message in Italian and English, and no others', () => {
    for (const name of MESSAGE_NAMES) {
      for (const locale of LOCALES) {
        for (const part of ['subject', 'html', 'text']) {
          expect(fs.existsSync(path.join(MAIL_DIR, 'templates', `${name}.${locale}.${part}.hbs`))).toBe(true);
        }
      }
    }
    expect(listTemplates().map((t) => t.name)).toEqual([...MESSAGE_NAMES].sort());
  });

  it.each(cases)('%s (%s) renders from its declared sample, which its context schema accepts', (name, locale) => {
    const sample = MESSAGES[name].sample(locale);
    expect(MESSAGES[name].context.safeParse(sample).error).toBeUndefined();
    const { subject, html, text } = renderMessage(name, locale, sample);
    expect(subject).not.toBe('');
    expect(html).toContain(`<html lang="${locale}"`);
    expect(text).toContain(sample.recipientName);
  });

  it('declares exactly what the templates read, besides what the outbox adds for each recipient', () => {
    for (const t of listTemplates()) {
      const declared = Object.keys(shapeOf(t.name as TemplateName));
      const provided = new Set<string>([...declared, ...RECIPIENT_VARIABLES]);
      expect({ name: t.name, undeclared: t.variables.filter((v) => !provided.has(v)) }).toEqual({
        name: t.name,
        undeclared: [],
      });
      const unread = declared.filter((v) => !t.variables.includes(v) && !READ_BY_THE_OUTBOX.has(v));
      expect({ name: t.name, unread }).toEqual({ name: t.name, unread: [] });
    }
  });

  it('formats only keys ending in "At" as moments, since the outbox formats numbers by that suffix', () => {
    for (const name of MESSAGE_NAMES) {
      for (const [key, schema] of Object.entries(shapeOf(name))) {
        expect({ name, key, instant: schema === instant }).toEqual({ name, key, instant: key.endsWith('At') });
      }
    }
  });

  it('puts in the calendar a moment of the context, named by a text of it', () => {
    const withDeadline = MESSAGE_NAMES.filter((name) => MESSAGES[name].deadline);
    expect(withDeadline.sort()).toEqual(
      ['due-date-extended', 'programme-end-warning', 'step-overdue', 'step-reminder', 'step-reopened'].sort(),
    );
    for (const name of withDeadline) {
      const { at, title } = MESSAGES[name].deadline!;
      expect(shapeOf(name)[at]).toBe(instant);
      expect(shapeOf(name)[title]).toBe(text);
    }
  });

  it.each(cases)('%s (%s) shows its declared call to action as its button, or no button', (name, locale) => {
    const { html } = renderMessage(name, locale, MESSAGES[name].sample(locale));
    const label = MESSAGES[name].callToAction?.[locale];
    const buttons = html.match(/display:inline-block;padding:12px 22px[^>]*>([^<]*)<\/a>/g) ?? [];
    expect(buttons).toEqual(label ? [expect.stringContaining(`>${Handlebars.escapeExpression(label)}</a>`)] : []);
  });

  it('holds back for office hours the messages planned in a send window', () => {
    expect([...WINDOWED_TEMPLATES].sort()).toEqual(
      [
        'step-reminder',
        'step-overdue',
        'escalation-consultant',
        'programme-end-warning',
        'digest-consultant',
        'digest-coordinator',
        'report-delivery',
      ].sort(),
    );
  });

  it('knows no message by a name it does not declare', () => {
    for (const name of ['nope', 'constructor', 'toString', '__proto__']) expect(messageOf(name)).toBeUndefined();
  });
});

describe('typed contexts (checked by tsc: each @ts-expect-error line must fail to compile)', () => {
  const send = (input: NotifyInput<TemplateName>) => input;
  const envelope = { key: 'type-test', enrollmentId: 'e1', to: [] };
  const about = {
    companyName: 'Sartoria Bassi',
    pathwayName: { it: 'Time saving', en: 'Time saving' },
    consultantName: 'Giulia Bianchi',
    consultantEmail: 'giulia@consulenti.test',
    stepName: { it: 'Attivazione del servizio', en: 'Service activation' },
    dueAt: Date.UTC(2026, 11, 4, 17),
  };
  const item = {
    companyName: 'Sartoria Bassi',
    pathwayName: 'Time saving',
    stepName: 'Attivazione del servizio',
    dueAt: 'venerdì 4 dicembre 2026, ore 18:00',
    status: 'overdue' as const,
    enrollmentUrl: 'https://conciliaflow.example/enrollments/e1',
  };
  const digest = { digestDate: '4 dicembre 2026', items: [item], overdueCount: 1, dueTodayCount: 0, dueSoonCount: 0 };

  it('accepts the context a message declares, and renders it once localised', () => {
    const input = send({ ...envelope, template: 'step-reminder', context: { ...about, when: 'due-today' } });
    // What the outbox adds for each recipient.
    const recipient = { recipientName: 'Lia Bassi', enrollmentUrl: 'https://conciliaflow.example/enrollments/e1' };
    const context = { ...localizeContext(input.context, 'en'), ...recipient };
    const { subject, text } = renderMessage(input.template, 'en', context);
    expect(subject).toContain('Service activation');
    expect(text).toContain('is due TODAY');
    expect(text).toContain('Due: Friday, 4 December 2026 18:00');

    // @ts-expect-error: the reminder's `when` is missing
    send({ ...envelope, template: 'step-reminder', context: about });
    // @ts-expect-error: `when` is misspelt
    send({ ...envelope, template: 'step-reminder', context: { ...about, when: 'due_today' } });
    // @ts-expect-error: a variable no template of the message reads (a misspelling of stepName)
    send({ ...envelope, template: 'step-overdue', context: { ...about, stepNmae: 'Attivazione' } });
    // @ts-expect-error: a count given as a string
    send({ ...envelope, template: 'escalation-consultant', context: { ...about, daysOverdue: '3' } });
    // @ts-expect-error: no such message
    send({ ...envelope, template: 'step-remider', context: about });
    // @ts-expect-error: a digest without its count
    send({ ...envelope, template: 'digest-coordinator', context: { networkName: 'ATS', weekOf: '', items: [] } });
    // @ts-expect-error: a digest item with a status the digest does not show
    send({ ...envelope, template: 'digest-consultant', context: { ...digest, items: [{ ...item, status: 'late' }] } });
  });
});
