/**
 * Published catalogue versions never change. A pathway started by reference (its workflow input
 * names `kind` and `version`, workflows/messages.ts) reads its definition from the worker's code on
 * every replay: an edit to a published version would change what running pathways do, and break
 * their replay. To change an action, publish a new version (domain/catalogue.ts) and add its
 * fingerprint here; never edit a fingerprint to make this test pass.
 */
import crypto from 'node:crypto';
import { CATALOGUE_VERSIONS, findPathwayVersion } from '../../domain/catalogue-history';
import { termsOf } from '../../workflows/pathway';

const PUBLISHED: Record<string, string> = {
  'defiscalizzazione@1': '776e42ee7353a264ffe51fc893687d1f75df0f2726af2ffd5abb1c15e580b8d2',
  'contrattazione-secondo-livello@1': '26f1244db1b453ea67d9ec9ea6c0f331a7d50eccfc0b398e5d104b5030dc0e57',
  'congedo-flessibilita@1': 'f0e7048675512966424fb71fe85de07bd6c000da6b875cb621e0c718b86d9f5c',
  'congedo-flessibilita@2': 'b7089898f3756711c991b85f099b1a2d0037da5cf42ced44ad793744b5edd843',
  'lavoro-flessibile@1': 'affc79fdcd94dc3cd20e36b5451ab3d8a2b105d11e09347bef643bd4dfc713c2',
  'time-saving@1': 'c10ea17c918e5021243cc4aee0eb5722e913ed638fae174d9aaced0629fb2b32',
  'sinergie-reti@1': 'bb5a4e88f15d5f64e2cba7c7878629da15072232151e31334b310927212b7a64',
  'autoimprenditorialita-femminile@1': 'ff1cc970eb708ecebe33a31e8fbce4ba3216a56f4efa3dd805f41faa26f66af6',
};

const fingerprint = (value: unknown) => crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');

test('every published version is exactly as it was published, and each has a fingerprint here', () => {
  const now = Object.fromEntries(CATALOGUE_VERSIONS.map((d) => [`${d.kind}@${d.version}`, fingerprint(d)]));
  expect(now).toEqual(PUBLISHED);
});

test('a fingerprint catches an edit of any field of a version', () => {
  const d = findPathwayVersion('time-saving', 1)!;
  const edited = {
    ...d,
    steps: d.steps.map((s, i) => (i === 0 ? { ...s, durationWorkingDays: s.durationWorkingDays + 1 } : s)),
  };
  expect(fingerprint(edited)).not.toBe(PUBLISHED['time-saving@1']);
});

const base = {
  enrollmentId: 'enr_1',
  programme: { code: 'LOMB-2026', endsOn: '2027-12-31' },
  company: { name: 'Bottega' },
  consultant: { name: 'C', email: 'c@x.test' },
  participants: [],
};

test('the workflow reads a referenced version from the published ones, and keeps a carried definition as it came', () => {
  expect(termsOf({ ...base, catalogue: { kind: 'congedo-flessibilita', version: 1 } }).definition).toBe(
    findPathwayVersion('congedo-flessibilita', 1),
  );
  const carried = { ...findPathwayVersion('time-saving', 1)!, name: { it: 'Come registrato', en: 'As recorded' } };
  expect(termsOf({ ...base, definition: carried, catalogue: { kind: 'time-saving', version: 1 } }).definition).toBe(
    carried,
  );
});

test('a version the worker does not have fails the workflow task with what to do', () => {
  expect(() => termsOf({ ...base, catalogue: { kind: 'time-saving', version: 99 } })).toThrow(
    /time-saving v99 is not published in this worker's code: deploy a worker that has it/,
  );
  expect(() => termsOf(base)).toThrow(/\(none in the input\)/);
});
