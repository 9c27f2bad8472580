import { formatRomeDateTime } from '../../domain/calendar';
import { TemplateError, listTemplates, renderMessage, sampleContext, type Locale } from '../../mail/render';

function variablesOf(name: string): string[] {
  const info = listTemplates().find((t) => t.name === name);
  if (!info) throw new Error(`no template ${name}`);
  return info.variables;
}

function render(name: string, locale: Locale, overrides: Record<string, unknown> = {}) {
  return renderMessage(name, locale, { ...sampleContext(name, locale), ...overrides });
}

function captureError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  throw new Error('expected an error');
}

const ENROLLMENT = ['companyName', 'enrollmentUrl', 'pathwayName', 'recipientName'];

describe('new messages: required variables', () => {
  it.each([
    ['programme-end-warning', [...ENROLLMENT, 'openSteps', 'programmeEndAt', 'programmeName', 'workingDaysLeft']],
    ['pathway-expired', [...ENROLLMENT, 'expiredAt', 'stepName']],
    ['step-reopened', [...ENROLLMENT, 'actorName', 'consultantName', 'dueAt', 'reason', 'stepName']],
    [
      'due-date-extended',
      [...ENROLLMENT, 'actorName', 'consultantName', 'dueAt', 'previousDueAt', 'reason', 'stepName'],
    ],
    ['consultant-assigned', [...ENROLLMENT, 'dueAt', 'stepName']],
    ['enrollment-withdrawn', [...ENROLLMENT, 'reason', 'withdrawnAt']],
    ['delivery-failed', [...ENROLLMENT, 'failedEmail', 'failedRecipient', 'failedSubject', 'smtpError']],
    ['digest-consultant', ['digestDate', 'dueSoonCount', 'dueTodayCount', 'items', 'overdueCount', 'recipientName']],
    ['digest-coordinator', ['items', 'networkName', 'overdueCount', 'recipientName', 'weekOf']],
    ['report-delivery', ['highlights', 'networkName', 'periodLabel', 'recipientName', 'reportName']],
  ])('%s reads exactly its documented variables', (name, expected) => {
    expect(variablesOf(name)).toEqual([...expected].sort());
  });

  it('assigns each message the audience its footer is written for', () => {
    const audiences = Object.fromEntries(listTemplates().map((t) => [t.name, t.audience]));
    expect(audiences).toMatchObject({
      'escalation-consultant': 'consultant',
      'step-reminder': 'participant',
      'programme-end-warning': 'pathway-team',
      'pathway-expired': 'pathway-team',
      'enrollment-withdrawn': 'pathway-team',
      'step-reopened': 'participant',
      'due-date-extended': 'participant',
      'consultant-assigned': 'consultant',
      'delivery-failed': 'consultant',
      'digest-consultant': 'consultant-digest',
      'digest-coordinator': 'coordinator',
      'report-delivery': 'report-recipient',
    });
  });

  it('counts an empty list as present but a missing one as missing', () => {
    const { items: _items, ...withoutItems } = sampleContext('digest-consultant', 'it');
    const err = captureError(() => renderMessage('digest-consultant', 'it', withoutItems));
    expect(err.message).toBe('template digest-consultant.it.html: missing variable "items"');

    const { highlights: _h, ...withoutHighlights } = sampleContext('report-delivery', 'en');
    expect(captureError(() => renderMessage('report-delivery', 'en', withoutHighlights)).variable).toBe('highlights');
    expect(() => render('report-delivery', 'en', { highlights: [] })).not.toThrow();
  });

  it('renders with dates formatted the way the outbox formats `...At` numbers', () => {
    const at = Date.UTC(2026, 10, 23, 17, 0); // Monday 23 November 2026, 18:00 in Rome
    const { text } = render('due-date-extended', 'it', {
      previousDueAt: formatRomeDateTime(at - 7 * 86_400_000, 'it'),
      dueAt: formatRomeDateTime(at, 'it'),
    });
    expect(text).toContain('Nuova scadenza: lunedì 23 novembre 2026 ore 18:00');
    expect(text).toContain('Scadenza precedente: lunedì 16 novembre 2026 ore 18:00');
  });
});

describe('programme-end-warning', () => {
  it('tells how many working days are left, in the right grammatical number', () => {
    expect(render('programme-end-warning', 'it').text).toContain(
      'si chiude mercoledì 31 dicembre 2025, ore 18:00, tra 12 giorni lavorativi, e il percorso',
    );
    expect(render('programme-end-warning', 'it', { workingDaysLeft: 1 }).text).toContain(', tra 1 giorno lavorativo, ');
    expect(render('programme-end-warning', 'it', { workingDaysLeft: 0 }).text).toContain('ore 18:00, cioè oggi, e il');
    expect(render('programme-end-warning', 'en', { workingDaysLeft: 1 }).text).toContain(', in 1 working day, and');
    expect(render('programme-end-warning', 'en').text).toContain(', in 12 working days, and');
  });

  it('lists the open steps and speaks to contact people and consultant alike', () => {
    const { subject, text, html } = render('programme-end-warning', 'it');
    expect(subject).toBe(
      'Chiusura del programma: percorso «Flessibilità oraria e lavoro agile» ancora da completare – Officine Meccaniche Brambilla S.r.l.',
    );
    expect(text).toContain('  Attività ancora aperte: Piano aziendale di conciliazione, Adozione del piano\n');
    expect(html).toContain('<strong>mercoledì 31 dicembre 2025, ore 18:00</strong>');
    expect(text).toContain("come referente dell'impresa o come consulente.");
  });

  it('rejects a non-numeric number of days instead of printing it', () => {
    const err = captureError(() => render('programme-end-warning', 'en', { workingDaysLeft: '12' }));
    expect(err.message).toMatch(/^template programme-end-warning\.en\.html: helper plural: count must be a number/);
  });
});

describe('pathway and step events', () => {
  it('pathway-expired names the last open step and when the programme closed', () => {
    const { subject, text } = render('pathway-expired', 'en');
    expect(subject).toBe(
      'Pathway expired: “Flessibilità oraria e lavoro agile” – Officine Meccaniche Brambilla S.r.l.',
    );
    expect(text).toContain('  Last open step: Adozione del piano\n');
    expect(text).toContain('The programme ended on Wednesday 31 December 2025 at 18:00, before the');
  });

  it('step-reopened says who reopened it, why, and the new due date', () => {
    const { subject, text, html } = render('step-reopened', 'it');
    expect(subject).toBe(
      'Attività riaperta: «Analisi dei bisogni di conciliazione» – Officine Meccaniche Brambilla S.r.l.',
    );
    expect(text).toContain('è stata riaperta da Francesca Villa e va completata di nuovo.');
    expect(text).toContain('  Motivo: Nel report manca la sezione sui turni del reparto produzione.\n');
    expect(text).toContain('  Nuova scadenza: venerdì 11 aprile 2025, ore 17:00\n');
    expect(html).toContain('<strong>Motivo:</strong> Nel report manca');
  });

  it('due-date-extended shows old and new due dates', () => {
    const { subject, text } = render('due-date-extended', 'en');
    expect(subject).toBe(
      'Due date extended: “Questionario sui bisogni del personale” now due by Friday 11 April 2025 at 17:00 – Officine Meccaniche Brambilla S.r.l.',
    );
    expect(text).toContain(
      '  New due date: Friday 11 April 2025 at 17:00\n  Previous due date: Friday 14 March 2025 at 17:00\n',
    );
    expect(text).toContain('Francesca Villa has extended the due date');
  });

  it.each(['step-reopened', 'due-date-extended', 'enrollment-withdrawn'])(
    '%s leaves out the reason line when the reason is null',
    (name) => {
      for (const locale of ['it', 'en'] as const) {
        const { text, html } = render(name, locale, { reason: null });
        expect(text).not.toMatch(/Motivo|Reason/);
        expect(html).not.toMatch(/Motivo|Reason/);
        expect(text).not.toMatch(/\n{3,}/);
      }
    },
  );

  it('enrollment-withdrawn says when and that reminders stop', () => {
    const { subject, text } = render('enrollment-withdrawn', 'it');
    expect(subject).toBe(
      'Iscrizione ritirata: «Flessibilità oraria e lavoro agile» – Officine Meccaniche Brambilla S.r.l.',
    );
    expect(text).toContain('è stata ritirata martedì 18 marzo 2025, ore 11:30.');
    expect(text).toContain('non verranno più inviati promemoria');
  });

  it('consultant-assigned introduces the company and its current step, or says there is none', () => {
    const { subject, text } = render('consultant-assigned', 'it');
    expect(subject).toBe(
      'Nuova impresa da seguire: Officine Meccaniche Brambilla S.r.l. – «Flessibilità oraria e lavoro agile»',
    );
    expect(text).toContain('Gentile Paolo Invernizzi,');
    expect(text).toContain(
      '  Attività: Questionario sui bisogni del personale\n  Scadenza: venerdì 14 marzo 2025, ore 17:00\n',
    );
    expect(text).toContain('Ricevi questa email perché segui Officine Meccaniche Brambilla S.r.l. come consulente');

    const idle = render('consultant-assigned', 'en', { stepName: null, dueAt: null });
    expect(idle.text).toContain('There is no step in progress at the moment.');
    expect(idle.text).not.toContain('Due:');
  });

  it('delivery-failed shows the failed address, subject and SMTP reply, escaped in HTML only', () => {
    const { subject, text, html } = render('delivery-failed', 'en');
    expect(subject).toBe('Email not delivered to Luca Brambilla – Officine Meccaniche Brambilla S.r.l.');
    expect(text).toContain(
      '  Mail server response: 550 5.1.1 <luca.brambilla@brambilla.example>: Recipient address rejected: User unknown\n',
    );
    expect(text).toContain('  Email subject: Reminder: “Questionario sui bisogni del personale” is due by');
    expect(html).toContain('550 5.1.1 &lt;luca.brambilla@brambilla.example&gt;: Recipient address rejected');
    expect(html).not.toContain('<luca.brambilla');
    expect(text).toContain('You are receiving this email because you are the consultant supporting');
  });
});

describe('digest-consultant', () => {
  const sample = () => sampleContext('digest-consultant', 'it') as { items: Record<string, unknown>[] };

  it('groups the items by status, overdue first, with counts', () => {
    const { subject, text, html } = render('digest-consultant', 'it');
    expect(subject).toBe('Riepilogo scadenze del 14 marzo 2025: 2 in ritardo, 1 in scadenza oggi, 2 a breve');
    const order = [
      'IN RITARDO (2)',
      'Officine Meccaniche Brambilla S.r.l.',
      'Tessitura Brianzola S.r.l.',
      'IN SCADENZA OGGI (1)',
      'Caseificio Valsassina S.n.c.',
      'IN SCADENZA NEI PROSSIMI GIORNI (2)',
      'Studio Associato Fumagalli',
      'Cooperativa Sociale Il Girasole',
    ].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain(
      '  Officine Meccaniche Brambilla S.r.l. – «Flessibilità oraria e lavoro agile»\n  Attività: Questionario sui bisogni del personale\n  Scaduta: martedì 11 marzo 2025, ore 18:00\n  https://conciliaflow.example/iscrizioni/ISC-2025-0042\n',
    );
    expect(html).toContain('>In ritardo (2)</h2>');
    expect(html).toContain('href="https://conciliaflow.example/iscrizioni/ISC-2025-0070"');
    expect(html).toContain('Ricevi questa email perché segui come consulente una o più imprese');
  });

  it('shows only the groups that have items', () => {
    const items = sample().items.filter((i) => i.status === 'due-soon');
    const { subject, text } = render('digest-consultant', 'en', {
      items,
      overdueCount: 0,
      dueTodayCount: 0,
      dueSoonCount: 2,
    });
    expect(subject).toBe('Deadline digest for 14 March 2025: 0 overdue, 0 due today, 2 due soon');
    expect(text).toContain('DUE IN THE NEXT FEW DAYS (2)');
    expect(text).not.toContain('OVERDUE');
    expect(text).not.toContain('DUE TODAY');
  });

  it('renders an empty digest sensibly', () => {
    for (const locale of ['it', 'en'] as const) {
      const { subject, text, html } = render('digest-consultant', locale, {
        items: [],
        overdueCount: 0,
        dueTodayCount: 0,
        dueSoonCount: 0,
      });
      expect(subject).toBe(
        locale === 'it'
          ? 'Riepilogo scadenze del 14 marzo 2025: nessuna attività in ritardo o in scadenza'
          : 'Deadline digest for 14 March 2025: nothing overdue or due',
      );
      expect(text).toContain(
        locale === 'it'
          ? 'oggi, 14 marzo 2025, nessuna attività dei percorsi che segui è in ritardo o in scadenza.'
          : 'Today, 14 March 2025, no step of the pathways you support is overdue or due.',
      );
      expect(html).not.toContain('<h2');
      expect(text).not.toMatch(/\n{3,}/);
    }
  });

  it('escapes item values in HTML', () => {
    const items = sample().items.map((i, n) => (n === 0 ? { ...i, companyName: 'Rossi & <b>Figli</b>' } : i));
    const { html, text } = render('digest-consultant', 'it', { items });
    expect(html).toContain('<strong>Rossi &amp; &lt;b&gt;Figli&lt;/b&gt;</strong>');
    expect(text).toContain('  Rossi & <b>Figli</b> – «');
  });

  it('rejects an unknown status instead of dropping the item', () => {
    const items = sample().items.map((i, n) => (n === 3 ? { ...i, status: 'due_soon' } : i));
    const err = captureError(() => render('digest-consultant', 'it', { items }));
    expect(err.variable).toBe('items[3].status');
    expect(err.message).toBe(
      'template digest-consultant.it: variable "items[3].status" must be one of "overdue", "due-today", "due-soon", got "due_soon"',
    );
  });

  it('rejects counts that disagree with the items', () => {
    const err = captureError(() => render('digest-consultant', 'en', { dueTodayCount: 2 }));
    expect(err.variable).toBe('dueTodayCount');
    expect(err.message).toContain('must equal the number of items with status "due-today" (1), got 2');
  });

  it('rejects items that are not a list or miss a field', () => {
    expect(captureError(() => render('digest-consultant', 'it', { items: 'none' })).message).toBe(
      'template digest-consultant.it: variable "items" must be a list, got "none"',
    );
    const items = sample().items.map((i, n) => {
      if (n !== 1) return i;
      const { stepName: _omit, ...rest } = i;
      return rest;
    });
    const err = captureError(() => render('digest-consultant', 'it', { items }));
    expect(err.variable).toBe('items[1].stepName');
    expect(err.message).toBe('template digest-consultant.it: variable "items[1].stepName" is missing');
    expect(captureError(() => render('digest-consultant', 'it', { items: [null] })).variable).toBe('items[0]');
  });
});

describe('digest-coordinator', () => {
  it('lists the overdue pathways with delay and consultant', () => {
    const { subject, text, html } = render('digest-coordinator', 'it');
    expect(subject).toBe(
      'Riepilogo settimanale della rete ATS Brianza, settimana del 10 marzo 2025: 3 percorsi in ritardo',
    );
    expect(text).toContain(
      'nella settimana del 10 marzo 2025, 3 percorsi della rete ATS Brianza hanno attività in ritardo.',
    );
    expect(text).toContain('  Ritardo: 8 giorni\n  Consulente: Francesca Villa\n');
    expect(text).toContain('  Ritardo: 1 giorno\n');
    expect(html).toContain('<strong>Consulente:</strong> Paolo Invernizzi');
    expect(text).toContain('Ricevi questa email perché coordini la rete di conciliazione ATS Brianza.');
  });

  it('agrees nouns and verbs with a single pathway', () => {
    const ctx = sampleContext('digest-coordinator', 'en') as { items: unknown[] };
    const one = { items: ctx.items.slice(0, 1), overdueCount: 1 };
    expect(render('digest-coordinator', 'en', one).subject).toBe(
      'Weekly digest of the ATS Brianza network, week of 10 March 2025: 1 overdue pathway',
    );
    expect(render('digest-coordinator', 'en', one).text).toContain(
      'In the week of 10 March 2025, 1 pathway of the ATS Brianza network has overdue steps.',
    );
    expect(render('digest-coordinator', 'it', { ...one, items: ctx.items.slice(0, 1) }).text).toContain(
      '1 percorso della rete ATS Brianza ha attività in ritardo.',
    );
  });

  it('renders a week without overdue pathways, and checks the count', () => {
    const { subject, text } = render('digest-coordinator', 'it', { items: [], overdueCount: 0 });
    expect(subject).toBe(
      'Riepilogo settimanale della rete ATS Brianza, settimana del 10 marzo 2025: nessun percorso in ritardo',
    );
    expect(text).toContain(
      'nella settimana del 10 marzo 2025 nessun percorso della rete ATS Brianza ha attività in ritardo.',
    );
    expect(captureError(() => render('digest-coordinator', 'it', { overdueCount: 4 })).message).toContain(
      'variable "overdueCount" must equal the number of items (3), got 4',
    );
  });
});

describe('report-delivery', () => {
  it('presents the attached report with its highlights', () => {
    const { subject, text, html } = render('report-delivery', 'it');
    expect(subject).toBe('Report «Avanzamento dei percorsi», primo trimestre 2025 – rete ATS Brianza');
    expect(text).toContain('In sintesi:\n  - 18 imprese con un percorso attivo');
    expect(text).toContain('  - 2 percorsi completati\n');
    expect(html).toContain('<li style="margin:0 0 4px 0;">41 attività completate, di cui 36 entro la scadenza</li>');
    expect(text).toContain(
      'Ricevi questa email perché sei tra i destinatari dei report della rete di conciliazione ATS Brianza.',
    );
  });

  it('leaves out the highlights section when there are none, and escapes them in HTML', () => {
    const empty = render('report-delivery', 'en', { highlights: [] });
    expect(empty.text).not.toContain('At a glance');
    expect(empty.html).not.toContain('<ul');
    expect(render('report-delivery', 'en', { highlights: ['<b>5</b> & more'] }).html).toContain(
      '&lt;b&gt;5&lt;/b&gt; &amp; more</li>',
    );
  });

  it('requires every highlight to be a string', () => {
    const err = captureError(() => render('report-delivery', 'it', { highlights: ['ok', { it: 'x', en: 'y' }] }));
    expect(err.variable).toBe('highlights[1]');
    expect(err.message).toBe(
      'template report-delivery.it: variable "highlights[1]" must be a string, got {"it":"x","en":"y"}',
    );
  });
});
