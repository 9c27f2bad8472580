import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// domain/ is imported by Temporal workflows, which must be deterministic and run in a sandbox without Node APIs.
const domainDir = join(__dirname, '..', '..', 'domain');
const files = readdirSync(domainDir).filter((f) => f.endsWith('.ts'));

describe('domain/ stays workflow-safe', () => {
  it('has source files to check', () => {
    expect(files).toEqual(expect.arrayContaining(['calendar.ts', 'holidays.ts', 'money.ts', 'index.ts']));
  });

  it.each(files)('%s imports only relative modules and uses no clock or randomness', (file) => {
    const source = readFileSync(join(domainDir, file), 'utf8');
    const imports = [...source.matchAll(/\bfrom\s+'([^']+)'|\brequire\(\s*'([^']+)'|\bimport\(\s*'([^']+)'/g)].map(
      (m) => m[1] ?? m[2] ?? m[3],
    );
    for (const spec of imports) expect(spec).toMatch(/^\.\.?\//);
    expect(source).not.toMatch(/Date\.now\s*\(/);
    expect(source).not.toMatch(/new Date\(\s*\)/);
    expect(source).not.toMatch(/Math\.random/);
    expect(source).not.toMatch(/\bprocess\./);
  });
});
