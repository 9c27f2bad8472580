import { formatDate, formatDueAt } from '../../mail/format';
import {
  LOCALES,
  MESSAGE_NAMES,
  TemplateError,
  listTemplates,
  renderMessage,
  sampleContext,
  type Locale,
} from '../../mail/render';

const LAYOUT_ONLY = ['lang', 'subject', 'body', 'footer', 'audience', 'unsubscribeUrl'];
const COMMON = ['recipientName', 'companyName', 'pathwayName', 'enrollmentUrl'];
/** Digests and reports span many enrollments: they name no single company, pathway or enrollment page. */
const NETWORK_MESSAGES: ReadonlySet<string> = new Set(['digest-consultant', 'digest-coordinator', 'report-delivery']);
/** The front door's messages concern an account or a request, not an enrollment: each links its own page. */
const OWN_LINK: Readonly<Record<string, string>> = {
  'account-invitation': 'acceptUrl',
  'password-reset': 'resetUrl',
  'request-confirm': 'confirmUrl',
  'request-received': 'requestUrl',
  'request-escalated': 'requestUrl',
  'request-outcome': 'linkUrl',
};

const cases: Array<[string, Locale]> = MESSAGE_NAMES.flatMap((name) => LOCALES.map((l): [string, Locale] => [name, l]));

function variablesOf(name: string): string[] {
  const info = listTemplates().find((t) => t.name === name);
  if (!info) throw new Error(`no template ${name}`);
  return info.variables;
}

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('listTemplates', () => {
  it('lists exactly the known messages, each in Italian and English', () => {
    const templates = listTemplates();
    expect(templates.map((t) => t.name)).toEqual([...MESSAGE_NAMES].sort());
    for (const t of templates) expect(t.locales).toEqual(['it', 'en']);
  });

  it('reports the variables read by the message, without the layout-only ones', () => {
    for (const t of listTemplates()) {
      if (OWN_LINK[t.name]) {
        expect(t.variables).toEqual(expect.arrayContaining(['recipientName', OWN_LINK[t.name]!]));
        expect(t.variables).not.toContain('enrollmentUrl');
      } else if (NETWORK_MESSAGES.has(t.name)) {
        expect(t.variables).toContain('recipientName');
        for (const v of ['companyName', 'pathwayName', 'enrollmentUrl']) expect(t.variables).not.toContain(v);
      } else {
        expect(t.variables).toEqual(expect.arrayContaining(COMMON));
      }
      for (const v of LAYOUT_ONLY) expect(t.variables).not.toContain(v);
      expect([...t.variables].sort()).toEqual(t.variables);
    }
    expect(variablesOf('step-reminder')).toEqual([
      'companyName',
      'consultantName',
      'dueAt',
      'enrollmentUrl',
      'pathwayName',
      'recipientName',
      'stepName',
      'when',
    ]);
    expect(variablesOf('step-completed')).toEqual(
      expect.arrayContaining(['completedBy', 'completedAt', 'nextStepName', 'nextStepDueAt']),
    );
    expect(variablesOf('escalation-consultant')).toContain('daysOverdue');
  });
});

describe('sampleContext', () => {
  it.each(cases)('%s (%s) provides every variable the template reads', (name, locale) => {
    const ctx = sampleContext(name, locale);
    for (const v of variablesOf(name)) expect(ctx[v]).not.toBeUndefined();
  });

  it('formats dates in Italian, Europe/Rome time', () => {
    expect(sampleContext('step-reminder', 'it').dueAt).toBe('venerdì 14 marzo 2025, ore 17:00');
    expect(sampleContext('step-reminder', 'en').dueAt).toBe('Friday 14 March 2025 at 17:00');
    expect(sampleContext('step-completed', 'it').completedAt).toBe('12 marzo 2025');
    // 15:00 UTC is 17:00 in Milan once summer time has started
    expect(formatDueAt(new Date('2025-04-11T15:00:00Z'), 'it')).toBe('venerdì 11 aprile 2025, ore 17:00');
    expect(formatDate(new Date('2025-12-31T23:30:00Z'), 'it')).toBe('1 gennaio 2026');
  });

  it('returns a fresh object each time', () => {
    const a = sampleContext('step-overdue', 'it');
    a.companyName = 'changed';
    expect(sampleContext('step-overdue', 'it').companyName).toBe('Officine Meccaniche Brambilla S.r.l.');
  });

  it('rejects unknown templates', () => {
    expect(() => sampleContext('nope', 'it')).toThrow(TemplateError);
  });
});

describe('renderMessage', () => {
  it.each(cases)('renders %s in %s with its sample context', (name, locale) => {
    const ctx = sampleContext(name, locale);
    const { subject, html, text } = renderMessage(name, locale, ctx);

    expect(subject.length).toBeGreaterThan(10);
    expect(subject).not.toMatch(/\n/);
    for (const part of [subject, html, text]) {
      expect(part).not.toContain('undefined');
      expect(part).not.toContain('{{');
      expect(part).not.toContain('[object Object]');
    }
    expect(subject).toContain(String(ctx.companyName ?? ''));

    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<html lang="${locale}">`);
    expect(html).toContain(
      locale === 'it' ? 'Regione Lombardia · Conciliazione vita-lavoro' : 'Regione Lombardia · Work-life balance',
    );
    expect(html).toContain('#00843D');
    expect(html).toContain('Rete Territoriale di Conciliazione');
    if (OWN_LINK[name]) expect(html).toContain(`href="${String(ctx[OWN_LINK[name]!])}"`);
    else if (!NETWORK_MESSAGES.has(name)) expect(html).toContain(`href="${String(ctx.enrollmentUrl)}"`);
    expect(html).not.toMatch(/<img\b/);
    expect(html).toContain(`<title>${subject}</title>`);
    expect(html).toContain(String(ctx.recipientName));

    expect(text).toContain(locale === 'it' ? 'CONCILIAZIONE VITA-LAVORO' : 'WORK-LIFE BALANCE');
    if (OWN_LINK[name]) expect(text).toContain(String(ctx[OWN_LINK[name]!]));
    else if (!NETWORK_MESSAGES.has(name)) expect(text).toContain(String(ctx.enrollmentUrl));
    expect(text).toContain(String(ctx.recipientName));
    expect(text).toContain('Rete Territoriale di Conciliazione');
    expect(text).not.toMatch(/<\/?(p|br|table|strong|a)\b/);
    expect(text).not.toMatch(/\n{3,}/);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain(locale === 'it' ? 'Ricevi questa email perché' : 'You are receiving this email because');
  });

  it.each(cases)('%s (%s): every listed variable is required', (name, locale) => {
    for (const variable of variablesOf(name)) {
      const ctx = { ...sampleContext(name, locale) };
      delete ctx[variable];
      const err = captureError(() => renderMessage(name, locale, ctx));
      expect(err).toBeInstanceOf(TemplateError);
      const templateError = err as TemplateError;
      expect(templateError.variable).toBe(variable);
      expect(templateError.message).toMatch(
        new RegExp(
          `^template (${name}\\.${locale}\\.(subject|html|text)|layout\\.(html|text)|footers/[a-z-]+\\.(html|text)): missing variable "${variable}"$`,
        ),
      );
    }
  });

  it('names the template file and the variable when one is missing', () => {
    const ctx = { ...sampleContext('step-reminder', 'it') };
    delete ctx.dueAt;
    const err = captureError(() => renderMessage('step-reminder', 'it', ctx)) as TemplateError;
    expect(err).toBeInstanceOf(TemplateError);
    expect(err.name).toBe('TemplateError');
    expect(err.message).toBe('template step-reminder.it.html: missing variable "dueAt"');
    expect(err.template).toBe('step-reminder.it.html');
    expect(err.variable).toBe('dueAt');
  });

  it('treats an undefined value as missing but accepts null as "none"', () => {
    const undefinedCtx = { ...sampleContext('enrollment-welcome', 'en'), stepName: undefined };
    expect(() => renderMessage('enrollment-welcome', 'en', undefinedCtx)).toThrow(
      'template enrollment-welcome.en.html: missing variable "stepName"',
    );

    const itResult = renderMessage('step-completed', 'it', {
      ...sampleContext('step-completed', 'it'),
      nextStepName: null,
      nextStepDueAt: null,
    });
    expect(itResult.text).toContain('Al momento non ci sono altre attività in programma.');
    expect(itResult.text).not.toContain('Il prossimo passo');
    const en = renderMessage('step-completed', 'en', {
      ...sampleContext('step-completed', 'en'),
      nextStepName: 'Piano aziendale di conciliazione',
      nextStepDueAt: null,
    });
    expect(en.text).toContain('Step: Piano aziendale di conciliazione');
    expect(en.text).not.toContain('Due by');
  });

  it('escapes HTML in the html part only', () => {
    const companyName = '<script>alert("x")</script> Rossi & Figli';
    const { subject, html, text } = renderMessage('step-overdue', 'it', {
      ...sampleContext('step-overdue', 'it'),
      companyName,
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Rossi &amp; Figli');
    expect(text).toContain(companyName);
    expect(text).not.toContain('&lt;');
    expect(subject).toBe(`Attività scaduta: «Questionario sui bisogni del personale» – ${companyName}`);
  });

  it('switches the reminder wording on `when`', () => {
    const before = renderMessage('step-reminder', 'it', sampleContext('step-reminder', 'it'));
    expect(before.subject).toBe(
      'Promemoria: «Questionario sui bisogni del personale» da completare entro venerdì 14 marzo 2025, ore 17:00 – Officine Meccaniche Brambilla S.r.l.',
    );
    const today = renderMessage('step-reminder', 'it', { ...sampleContext('step-reminder', 'it'), when: 'due-today' });
    expect(today.subject).toBe(
      'Scade oggi: «Questionario sui bisogni del personale» – Officine Meccaniche Brambilla S.r.l.',
    );
    expect(today.text).toContain('OGGI scade');
    const todayEn = renderMessage('step-reminder', 'en', {
      ...sampleContext('step-reminder', 'en'),
      when: 'due-today',
    });
    expect(todayEn.subject).toMatch(/^Due today: /);

    const err = captureError(() =>
      renderMessage('step-reminder', 'it', { ...sampleContext('step-reminder', 'it'), when: 'due_today' }),
    ) as TemplateError;
    expect(err).toBeInstanceOf(TemplateError);
    expect(err.variable).toBe('when');
    expect(err.message).toContain('"before", "due-today"');
  });

  it('pluralises the delay in the consultant escalation', () => {
    const one = renderMessage('escalation-consultant', 'it', {
      ...sampleContext('escalation-consultant', 'it'),
      daysOverdue: 1,
    });
    expect(one.text).toContain('Ritardo: 1 giorno\n');
    const three = renderMessage('escalation-consultant', 'en', sampleContext('escalation-consultant', 'en'));
    expect(three.text).toContain('Overdue by: 3 days\n');
  });

  it('explains in the footer why the recipient gets the email', () => {
    const consultant = renderMessage('escalation-consultant', 'it', sampleContext('escalation-consultant', 'it'));
    expect(consultant.text).toContain(
      'Ricevi questa email perché segui Officine Meccaniche Brambilla S.r.l. come consulente nel percorso «Flessibilità oraria e lavoro agile».',
    );
    const participant = renderMessage('pathway-completed', 'en', sampleContext('pathway-completed', 'en'));
    expect(participant.html).toContain('registered as a contact person for Officine Meccaniche Brambilla S.r.l.');
  });

  it('shows the preferences link only when an unsubscribeUrl is given', () => {
    const withLink = renderMessage('step-overdue', 'it', sampleContext('step-overdue', 'it'));
    expect(withLink.html).toContain('href="https://conciliaflow.example/preferenze/ISC-2025-0042"');
    expect(withLink.text).toContain(
      'Gestisci le preferenze di notifica: https://conciliaflow.example/preferenze/ISC-2025-0042',
    );

    const { unsubscribeUrl: _omit, ...ctx } = sampleContext('step-overdue', 'it');
    const without = renderMessage('step-overdue', 'it', ctx);
    expect(without.html).not.toContain('preferenze');
    expect(without.text).not.toContain('preferenze');
  });

  it('rejects unknown templates and locales, listing what exists', () => {
    const unknownName = captureError(() => renderMessage('step-remider', 'it', {})) as TemplateError;
    expect(unknownName).toBeInstanceOf(TemplateError);
    for (const name of MESSAGE_NAMES) expect(unknownName.message).toContain(name);

    const unknownLocale = captureError(() =>
      renderMessage('step-reminder', 'fr' as Locale, sampleContext('step-reminder', 'it')),
    ) as TemplateError;
    expect(unknownLocale).toBeInstanceOf(TemplateError);
    expect(unknownLocale.message).toContain('"fr"');
    expect(unknownLocale.message).toContain('it, en');
    expect(unknownLocale.message).toContain('enrollment-welcome');
  });

  it('gives the same output for the same input', () => {
    const ctx = sampleContext('enrollment-welcome', 'it');
    expect(renderMessage('enrollment-welcome', 'it', ctx)).toEqual(renderMessage('enrollment-welcome', 'it', ctx));
  });
});

describe('what to upload and where (welcome, step reminders)', () => {
  const guided = ['enrollment-welcome', 'step-reminder'];
  const items = { uploadItems: ['Piano firmato (Piano adottato)'], uploadUrl: 'https://cf.test/p/abc' };

  it.each(guided.flatMap((n) => LOCALES.map((l): [string, Locale] => [n, l])))(
    '%s (%s): a participant is sent to their page, staff to the documents page, and nothing is said without items',
    (name, locale) => {
      const base = sampleContext(name, locale);
      const participant = renderMessage(name, locale, { ...base, ...items, recipientKind: 'participant' });
      expect(participant.text).toContain('- Piano firmato (Piano adottato)');
      expect(participant.text).toContain('https://cf.test/p/abc');
      expect(participant.html).toContain('<li>Piano firmato (Piano adottato)</li>');
      expect(participant.html).toContain('href="https://cf.test/p/abc"');
      expect(participant.text).toMatch(locale === 'it' ? /tua pagina personale/ : /your personal page/);
      const staffUrl = 'https://cf.test/app/enrollments/e1/documents';
      const staff = renderMessage(name, locale, { ...base, ...items, uploadUrl: staffUrl, recipientKind: 'staff' });
      expect(staff.text).toContain(staffUrl);
      expect(staff.text).toMatch(locale === 'it' ? /pagina dei documenti del percorso/ : /documents page/);
      const none = renderMessage(name, locale, { ...base, recipientKind: 'participant' });
      expect(none.text).not.toContain('Piano firmato');
      expect(none.text).not.toMatch(/puoi caricare|you can upload/);
    },
  );
});
