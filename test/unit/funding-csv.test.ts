import { fundingToCsv, parseFundingCsv, type FundingCsvError } from '../../client/funding-csv';
import { buildFundingReport, renderFundingReport } from '../../client/funding-report';
import { DomainError } from '../../domain/errors';
import { fundingByProvince, type FundingProject } from '../../domain/funding';

const HEADER = 'code,title,lead_body,province,eligible_cost_eur,requested_grant_eur,rank,status';

function csvErrors(text: string): FundingCsvError[] {
  try {
    parseFundingCsv(text);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('invalid_csv');
    return ((e as DomainError).details as { errors: FundingCsvError[] }).errors;
  }
  throw new Error('expected the CSV to be rejected');
}

describe('parseFundingCsv', () => {
  it('parses a semicolon file with Italian amounts, a BOM and CRLF line ends', () => {
    const text =
      '\uFEFF' +
      [
        HEADER.replace(/,/g, ';'),
        'ESF-001;Nido aperto;Comune di Bergamo;Bergamo;125.000,00;100.000,00;1;admitted',
        'ESF-002;Spazio compiti;Consorzio Sol.Co;MI;10.000,00;8.000,00;2;funded',
        'ESF-003;Estate ragazzi;Comune di Lodi;lodi;1234,56;987,64;3;not_admitted',
        'ESF-004;Ludoteca;Cooperativa Il Sole;Monza e Brianza;2500.50;2000.40;4;submitted',
        '',
      ].join('\r\n');
    expect(parseFundingCsv(text).projects).toEqual<FundingProject[]>([
      {
        code: 'ESF-001',
        title: 'Nido aperto',
        leadBody: 'Comune di Bergamo',
        partners: [],
        provinceCode: 'BG',
        eligibleCostCents: 125_000_00,
        requestedGrantCents: 100_000_00,
        rank: 1,
        status: 'admitted',
      },
      {
        code: 'ESF-002',
        title: 'Spazio compiti',
        leadBody: 'Consorzio Sol.Co',
        partners: [],
        provinceCode: 'MI',
        eligibleCostCents: 10_000_00,
        requestedGrantCents: 8_000_00,
        rank: 2,
        status: 'funded',
      },
      {
        code: 'ESF-003',
        title: 'Estate ragazzi',
        leadBody: 'Comune di Lodi',
        partners: [],
        provinceCode: 'LO',
        eligibleCostCents: 1234_56,
        requestedGrantCents: 987_64,
        rank: 3,
        status: 'not_admitted',
      },
      {
        code: 'ESF-004',
        title: 'Ludoteca',
        leadBody: 'Cooperativa Il Sole',
        partners: [],
        provinceCode: 'MB',
        eligibleCostCents: 2500_50,
        requestedGrantCents: 2000_40,
        rank: 4,
        status: 'submitted',
      },
    ]);
  });

  it('reads quoted fields with separators, doubled quotes and line breaks', () => {
    const text = [
      HEADER,
      '"ESF-1","Giochi, sport e ""compiti"" insieme","Comune di Como, capofila",CO,"1.000,00",800,1,admitted',
      'ESF-2,"Due\nrighe",Ente,VA,1000,800,2,admitted',
      'ESF-3,Progetto "Aurora",Ente,VA,1000,800,3,admitted',
    ].join('\n');
    const { projects } = parseFundingCsv(text);
    expect(projects.map((p) => [p.title, p.leadBody, p.eligibleCostCents])).toEqual([
      ['Giochi, sport e "compiti" insieme', 'Comune di Como, capofila', 1_000_00],
      ['Due\nrighe', 'Ente', 1_000_00],
      ['Progetto "Aurora"', 'Ente', 1_000_00],
    ]);
  });

  it('counts lines inside quoted fields when reporting errors', () => {
    const text = [
      HEADER,
      'ESF-1,"Two\nlines",Ente,VA,1000,800,1,admitted',
      'ESF-2,Bad,Ente,VA,1000,800,0,admitted',
    ].join('\n');
    expect(csvErrors(text).map((e) => [e.line, e.column])).toEqual([[4, 'rank']]);
  });

  it('accepts a header-only file and ignores blank rows', () => {
    expect(parseFundingCsv(`${HEADER}\n`)).toEqual({ projects: [] });
    expect(parseFundingCsv(`${HEADER}\n\n,,,,,,,\nESF-1,T,L,MI,1000,800,1,admitted\n\n`).projects).toHaveLength(1);
  });

  it('reports exactly the three bad rows, with their line numbers, and returns nothing', () => {
    const text = [
      HEADER.replace(/,/g, ';'),
      'ESF-1;Ok;Ente;MI;1.000,00;800,00;1;admitted',
      'ESF-2;Over 80%;Ente;MI;10.000,00;8.000,01;2;admitted',
      'ESF-3;Ok;Ente;BG;1.000,00;800,00;3;funded',
      'ESF-4;Outside Lombardy;Ente;Torino;1.000,00;800,00;4;admitted',
      'ESF-5;Ok;Ente;BS;1.000,00;800,00;5;admitted',
      'ESF-6;Bad status and amount;Ente;BS;dieci;800,00;6;approved',
      'ESF-7;Ok;Ente;SO;1.000,00;800,00;7;admitted',
    ].join('\n');
    const errors = csvErrors(text);
    expect([...new Set(errors.map((e) => e.line))]).toEqual([3, 5, 7]);
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [3, 'requested_grant_eur'],
      [5, 'province'],
      [7, 'eligible_cost_eur'],
      [7, 'status'],
    ]);
    expect(errors[0]?.message.en).toMatch(/80%/);
    expect(errors.every((e) => e.message.it !== '' && e.message.en !== '')).toBe(true);
  });

  it('reports the EUR 100,000 cap', () => {
    const errors = csvErrors(`${HEADER}\nESF-1,T,L,MI,200000.00,100000.01,1,admitted`);
    expect(errors).toEqual([
      expect.objectContaining({ line: 2, column: 'requested_grant_eur', message: expect.objectContaining({}) }),
    ]);
    expect(errors[0]?.message.en).toMatch(/100,000\.00/);
  });

  it('reports duplicate ranks and codes on the later line', () => {
    const text = [
      HEADER,
      'ESF-1,A,L,MI,1000,800,1,admitted',
      'ESF-2,B,L,MI,1000,800,2,admitted',
      'ESF-1,C,L,MI,1000,800,3,admitted',
      'ESF-4,D,L,MI,1000,800,2,admitted',
    ].join('\n');
    const errors = csvErrors(text);
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [4, 'code'],
      [5, 'rank'],
    ]);
    expect(errors[0]?.message.en).toContain('line 2');
    expect(errors[1]?.message.en).toContain('line 3');
  });

  it('reports missing fields, bad ranks, wrong field counts and ambiguous amounts', () => {
    const text = [
      HEADER,
      ',T,L,MI,1000,800,1,admitted',
      'ESF-2,T,L,MI,1000,800,-2,admitted',
      'ESF-3,T,L,MI,1000,800,1.5,admitted',
      'ESF-4,T,L,MI,1000,800,4',
      'ESF-5,T,L,MI,1.000,800,5,admitted',
      'ESF-6,T,L,MI,1000,0,6,admitted',
    ].join('\n');
    expect(csvErrors(text).map((e) => [e.line, e.column])).toEqual([
      [2, 'code'],
      [3, 'rank'],
      [4, 'rank'],
      [5, null],
      [6, 'eligible_cost_eur'],
      [7, 'requested_grant_eur'],
    ]);
  });

  it('rejects a wrong header', () => {
    expect(csvErrors('code;title;province\nESF-1;T;MI')).toEqual([expect.objectContaining({ line: 1, column: null })]);
    expect(csvErrors('')).toEqual([expect.objectContaining({ line: 1 })]);
  });

  it('reports an unterminated quote at the line where it opens', () => {
    const errors = csvErrors(
      `${HEADER}\nESF-1,T,L,MI,1000,800,1,admitted\nESF-2,"never closed,L,MI,1000,800,2,admitted\n`,
    );
    expect(errors[0]).toMatchObject({ line: 3, column: null });
  });

  it('summarises the errors in both languages', () => {
    try {
      parseFundingCsv(`${HEADER}\nESF-1,T,L,XX,1000,800,1,admitted`);
      throw new Error('expected an error');
    } catch (e) {
      const error = e as DomainError;
      expect(error.messages.it).toMatch(/^Il file CSV contiene 1 errore: riga 2 \(province\)/);
      expect(error.messages.en).toMatch(/^The CSV file has 1 error: line 2 \(province\)/);
    }
  });
});

describe('fundingToCsv', () => {
  it('writes plain euros and a final TOTALE row', () => {
    const report = fundingByProvince([
      ...parseFundingCsv(
        [
          HEADER,
          'A,T,L,MI,"1.250,10","1.000,05",1,funded',
          'B,T,L,MB,100,80,2,funded',
          'C,T,L,MB,100,80,3,admitted',
        ].join('\n'),
      ).projects,
    ]);
    const lines = fundingToCsv(report.rows).split('\r\n');
    expect(lines[0]).toBe('province,funded_projects,granted_eur');
    expect(lines).toContain('Milano,1,1000.05');
    expect(lines).toContain('Monza e Brianza,1,80.00');
    expect(lines).toContain('Bergamo,0,0.00');
    expect(lines).toHaveLength(1 + 12 + 1 + 1);
    expect(lines.at(-2)).toBe('TOTALE,2,1080.05');
    expect(lines.at(-1)).toBe('');
  });
});

describe('renderFundingReport', () => {
  const projects = parseFundingCsv(
    [
      HEADER,
      'ESF-1,"<script>alert(1)</script>",Comune & Co,MI,125000,100000,1,funded',
      'ESF-2,Nido,Comune di Pavia,PV,"1.000,00",800,2,funded',
      'ESF-3,Estate,Comune di Lodi,LO,1000,800,3,admitted',
    ].join('\n'),
  ).projects;
  const report = buildFundingReport(projects);

  it('renders a self-contained HTML page with a table, a chart and escaped text', () => {
    const html = renderFundingReport(report, 'html', 'it');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-label="[^"]+"/);
    expect(html).toMatch(/<svg[^>]*>\s*<title>/);
    expect(html).toContain('<caption>');
    expect(html).toContain('scope="col"');
    expect(html).toContain('scope="row"');
    expect(html).toContain('#00843D');
    expect(html).toContain('@media print');
    expect(html).toContain('100.000,00 €');
    expect(html).toContain('100.800,00 €');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(html).toContain('Comune &amp; Co');
    expect(html).not.toMatch(/(?:src|href)=|url\(|@import/);
  });

  it('escapes a custom title and follows the locale', () => {
    const html = renderFundingReport(buildFundingReport(projects, 'Decreto <b>"n. 1"</b>'), 'html', 'en');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Decreto &lt;b>&quot;n. 1&quot;&lt;/b>');
    expect(html).toContain('€100,800.00');
    expect(html).toContain('Granted amount per province');
  });

  it('renders CSV and JSON', () => {
    expect(renderFundingReport(report, 'csv', 'it')).toBe(fundingToCsv(report.byProvince.rows));
    const json = JSON.parse(renderFundingReport(report, 'json', 'en'));
    expect(json.total).toEqual({ fundedProjects: 2, grantedCents: 100_800_00, granted: '€100,800.00' });
    expect(json.provinces).toHaveLength(12);
    expect(json.fundedProjects.map((p: { code: string }) => p.code)).toEqual(['ESF-1', 'ESF-2']);
  });
});
