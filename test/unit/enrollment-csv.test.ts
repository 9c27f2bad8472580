import { parseEnrollmentCsv } from '../../client/enrollment-csv';
import { isDomainError } from '../../domain/errors';

const HEADER =
  'programme;kind;company_name;vat_number;province;city;sector;staff;turnover_eur;consultant_name;consultant_email;participant_name;participant_email;participant_role;participant_locale';

describe('enrollment CSV import', () => {
  it('groups the participants of one company, kind and programme into one enrollment with a stable key', () => {
    const rows = parseEnrollmentCsv(
      [
        HEADER,
        'demo-2026-2027;congedo-flessibilita;"Tessitura; Brianza";01234567890;MB;monza;industria;35;4.500.000,00;Giulia;giulia@studio.it;Marco Rossi;marco@t.it;owner;it',
        'demo-2026-2027;congedo-flessibilita;"Tessitura; Brianza";01234567890;MB;monza;industria;35;4.500.000,00;Giulia;giulia@studio.it;Anna Verdi;anna@t.it;hr;en',
        ';time-saving;Panificio Sala;09876543210;MI;;artigianato;2;;Paolo;paolo@studio.it;Rita Sala;rita@p.it;;',
      ].join('\r\n'),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      lines: [2, 3],
      idempotencyKey: 'import:01234567890:demo-2026-2027:congedo-flessibilita',
      request: {
        company: { name: 'Tessitura; Brianza', turnoverCents: 450_000_000, staff: 35 },
        participants: [
          { email: 'marco@t.it', role: 'owner', locale: 'it' },
          { email: 'anna@t.it', role: 'hr', locale: 'en' },
        ],
      },
    });
    expect(rows[1]!.request).toMatchObject({ programme: 'demo-2026-2027', participants: [{ role: 'employee' }] });
  });

  it('reports every bad row with its line and column, and returns nothing', () => {
    const text = [
      HEADER,
      ';congedo-flessibilita;A;01234567890;MB;;industria;many;;G;g@s.it;M;m@t.it;owner;it',
      ';congedo-flessibilita;B;1234;MB;;industria;3;;G;not-an-email;M;m@t.it;owner;it',
      ';congedo-flessibilita;;01234567891;MB;;industria;3;;G;g@s.it;M;m@t.it;owner;it',
    ].join('\n');
    try {
      parseEnrollmentCsv(text);
      throw new Error('expected a refusal');
    } catch (err) {
      if (!isDomainError(err)) throw err;
      const errors = (err.details as { errors: { line: number; column: string | null }[] }).errors;
      expect(errors.map((e) => `${e.line}:${e.column}`)).toEqual(
        expect.arrayContaining(['2:staff', '3:company.vatNumber', '3:consultant.email', '4:company_name']),
      );
      expect(err.messages.en).toContain('no enrollment was sent');
    }
  });

  it('names the missing columns of a wrong header', () => {
    expect(() => parseEnrollmentCsv('kind,company_name\ncongedo,A')).toThrow(/missing vat_number, province/);
  });
});
