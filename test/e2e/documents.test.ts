/**
 * Documents end to end over HTTP on real servers, on both stores (files under a private folder, and
 * SeaweedFS as the S3-compatible object store): upload, idempotent retry, download headers, who may
 * see and add, refused files changing nothing, the completion rule and superseding on reopen,
 * attendance registers, and the dossier ZIP whose manifest hashes match its files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import type { Db } from '../../infra/db';
import { filesystemStore, type DocumentStore } from '../../infra/document-store';
import { enrollRequest, startDevStack, stopDevStack, userWithToken } from '../support/fixtures';
import { startSeaweed, type Seaweed } from '../support/seaweedfs';
import { runCli } from '../support/cli';
import { spawnSync } from 'node:child_process';
import * as samples from '../support/sample-documents';

type Store = 'filesystem' | 's3';
let seaweed: Seaweed | undefined;
const fsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-docs-'));
/** One stack per store (its own database), so an edition's dossier holds only that store's documents. */
const stacks: Partial<Record<Store, Partial<Awaited<ReturnType<typeof startDevStack>>>>> = {};
const bases: Record<Store, string> = { filesystem: '', s3: '' };
const objectsIn: Record<Store, () => Promise<number>> = {
  filesystem: async () => files(fsRoot).length,
  s3: async () => (await seaweed!.keys('dossiers/')).length,
};

type Who = 'anonymous' | 'admin' | 'giulia' | 'paolo' | 'smeA' | 'smeB' | 'coordMilano';
const tokens: Record<Store, Partial<Record<Who, string>>> = { filesystem: {}, s3: {} };

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

beforeAll(async () => {
  seaweed = await startSeaweed();
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(stacks)) await stopDevStack(s);
  await seaweed?.stop();
  fs.rmSync(fsRoot, { recursive: true, force: true });
});

async function startStack(store: Store): Promise<Db> {
  const documents: DocumentStore = store === 'filesystem' ? filesystemStore(fsRoot) : seaweed!.store('dossiers');
  const stack = await startDevStack(`documents-e2e-${store}`, { documents });
  stacks[store] = stack;
  bases[store] = stack.base;
  const users: [Who, Parameters<typeof userWithToken>[1]][] = [
    ['admin', { role: 'admin', email: 'regione@regione.test', name: 'Anna Regione' }],
    ['giulia', { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' }],
    ['paolo', { role: 'consultant', email: 'paolo@consulenti.test', name: 'Paolo Neri' }],
    ['coordMilano', { role: 'coordinator', atsCode: 'ats-milano', email: 'marco@ats-milano.test', name: 'Marco' }],
  ];
  for (const [who, input] of users) tokens[store][who] = (await userWithToken(stack.db, input)).token;
  return stack.db;
}

async function http(
  store: Store,
  who: Who,
  method: string,
  url: string,
  body?: FormData | object,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${bases[store]}${url}`, {
    method,
    headers: {
      ...(tokens[store][who] ? { authorization: `Bearer ${tokens[store][who]}` } : {}),
      ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
  let json: any;
  try {
    json = JSON.parse(bytes.toString());
  } catch {
    json = null;
  }
  return { status: res.status, body: json, bytes, headers: res.headers };
}

function form(data: Buffer, filename: string, part = 'file'): FormData {
  const f = new FormData();
  f.append(part, new Blob([new Uint8Array(data)]), filename);
  return f;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, s) => {
          if (e || !s) return reject(e);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe.each(['filesystem', 's3'] as const)('documents on the %s store', (store) => {
  let enrollmentA: string;
  let enrollmentB: string;
  let pdfId: string;
  const pdf = samples.samplePdf(`Analisi dei bisogni ${store}`);

  let db: Db;

  beforeAll(async () => {
    db = await startStack(store);
    const service = stacks[store]!.service!;
    const reqA = enrollRequest();
    const reqB = enrollRequest({
      company: { ...enrollRequest().company, province: 'MI', city: 'milano' },
      consultant: { name: 'Paolo Neri', email: 'paolo@consulenti.test' },
    });
    enrollmentA = (await service.enroll(reqA)).enrollment.id;
    enrollmentB = (await service.enroll(reqB)).enrollment.id;
    const sme = (email: string, vat: string) =>
      userWithToken(db, {
        role: 'sme',
        email,
        name: email.startsWith('a') ? 'Titolare A' : 'Titolare B',
        companyVatNumber: vat,
      });
    tokens[store].smeA = (await sme('a@a.test', reqA.company.vatNumber!)).token;
    tokens[store].smeB = (await sme('b@b.test', reqB.company.vatNumber!)).token;
    const consultant = { role: 'consultant' as const, id: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' };
    await service.completeStep(enrollmentA, { stepKey: 'intake', actor: consultant });
  }, 120_000);

  test('a step whose evidence is a document cannot be completed without one', async () => {
    const r = await http(store, 'giulia', 'POST', `/enrollments/${enrollmentA}/steps/needs-analysis/complete`, {
      evidence: 'RAPP-1',
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('document_required');
    const en = await http(
      store,
      'giulia',
      'POST',
      `/enrollments/${enrollmentA}/steps/needs-analysis/complete`,
      { evidence: 'RAPP-1' },
      { 'accept-language': 'en' },
    );
    expect(en.body.error.message).toMatch(/needs a document/);
  });

  test('the consultant uploads a PDF; a retry with the same key answers the same document', async () => {
    const before = await objectsIn[store]();
    const first = await http(
      store,
      'giulia',
      'POST',
      `/enrollments/${enrollmentA}/steps/needs-analysis/documents`,
      form(pdf, 'analisi.pdf'),
      {
        'idempotency-key': `up-${store}`,
      },
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      type: 'pdf',
      contentType: 'application/pdf',
      sha256: sha(pdf),
      sizeBytes: pdf.length,
      filename: 'analisi.pdf',
      uploaderName: 'Giulia Bianchi',
      stepKey: 'needs-analysis',
    });
    pdfId = first.body.id;
    const again = await http(
      store,
      'giulia',
      'POST',
      `/enrollments/${enrollmentA}/steps/needs-analysis/documents`,
      form(pdf, 'analisi.pdf'),
      {
        'idempotency-key': `up-${store}`,
      },
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(pdfId);
    expect(await db.document.count({ where: { enrollmentId: enrollmentA } })).toBe(1);
    expect(await objectsIn[store]()).toBe(before + 1);
    const audited = await db.auditLog.findMany({ where: { entityId: enrollmentA, action: 'document.upload' } });
    expect(audited).toHaveLength(1);
    if (store === 'filesystem') {
      const [file] = files(fsRoot).filter((f) => f.includes(enrollmentA));
      expect(fs.statSync(file!).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(file!)).mode & 0o777).toBe(0o700);
    }
  });

  test('download: an attachment with the detected type and nosniff, audited', async () => {
    const r = await http(store, 'smeA', 'GET', `/documents/${pdfId}`);
    expect(r.status).toBe(200);
    expect(r.bytes.equals(pdf)).toBe(true);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="analisi.pdf"/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await db.auditLog.count({ where: { entityId: enrollmentA, action: 'document.download' } })).toBeGreaterThan(
      0,
    );
    const list = await http(store, 'coordMilano', 'GET', `/enrollments/${enrollmentB}/documents`);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
  });

  test('anonymous, other-tenant and other-consultant callers get 404 for download, list and upload', async () => {
    for (const who of ['anonymous', 'smeB', 'coordMilano', 'paolo'] as const) {
      expect((await http(store, who, 'GET', `/documents/${pdfId}`)).status).toBe(404);
      expect((await http(store, who, 'GET', `/enrollments/${enrollmentA}/documents`)).status).toBe(404);
      const up = await http(
        store,
        who,
        'POST',
        `/enrollments/${enrollmentA}/steps/needs-analysis/documents`,
        form(pdf, 'x.pdf'),
      );
      expect(up.status).toBe(404);
    }
    expect((await http(store, 'admin', 'GET', `/documents/nope`)).status).toBe(404);
    expect(await db.document.count({ where: { enrollmentId: enrollmentA } })).toBe(1);
  });

  test('refused files change nothing: HTML renamed .pdf, a ZIP bomb, a file over 20 MB', async () => {
    const rows = await db.document.count();
    const objects = await objectsIn[store]();
    const url = `/enrollments/${enrollmentA}/steps/needs-analysis/documents`;
    const html = await http(store, 'giulia', 'POST', url, form(samples.sampleHtmlAsPdf(), 'piano.pdf'));
    expect(html.status).toBe(415);
    expect(html.body.error.message).toMatch(/PDF.*p7m.*DOCX/);
    const bomb = await http(store, 'giulia', 'POST', url, form(await samples.sampleZipBomb(), 'piano.docx'), {
      'accept-language': 'en',
    });
    expect(bomb.status).toBe(422);
    expect(bomb.body.error.message).toMatch(/inflate/);
    const big = await http(
      store,
      'giulia',
      'POST',
      url,
      form(samples.samplePdf('grande', 21 * 1024 * 1024), 'grande.pdf'),
    );
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('document_too_large');
    const notMultipart = await http(store, 'giulia', 'POST', url, { file: 'x' });
    expect(notMultipart.status).toBe(415);
    expect(await db.document.count()).toBe(rows);
    expect(await objectsIn[store]()).toBe(objects);
  });

  test('a .p7m keeps its signer; the SME may upload on its own firm', async () => {
    const r = await http(
      store,
      'smeA',
      'POST',
      `/enrollments/${enrollmentA}/steps/needs-analysis/documents`,
      form(samples.sampleP7m(), 'accordo.pdf.p7m'),
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      type: 'p7m',
      signerName: samples.SIGNER_NAME,
      enclosedType: 'pdf',
      uploaderName: 'Titolare A',
    });
  });

  test('completion then reopening: the documents stay, superseded, and the next completion needs a new one', async () => {
    const done = await http(store, 'giulia', 'POST', `/enrollments/${enrollmentA}/steps/needs-analysis/complete`, {
      evidence: 'RAPP-1',
    });
    expect(done.status).toBe(200);
    const reopened = await http(store, 'admin', 'POST', `/enrollments/${enrollmentA}/steps/needs-analysis/reopen`, {
      reason: 'manca una firma',
    });
    expect(reopened.status).toBe(200);
    const list = await http(store, 'giulia', 'GET', `/enrollments/${enrollmentA}/documents`);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items.every((d: { superseded: boolean }) => d.superseded)).toBe(true);
    const again = await http(store, 'giulia', 'POST', `/enrollments/${enrollmentA}/steps/needs-analysis/complete`, {
      evidence: 'RAPP-2',
    });
    expect(again.status).toBe(422);
    const up = await http(
      store,
      'giulia',
      'POST',
      `/enrollments/${enrollmentA}/steps/needs-analysis/documents`,
      form(await samples.sampleDocx(), 'analisi-v2.docx'),
    );
    expect(up.body.type).toBe('docx');
    expect(
      (
        await http(store, 'giulia', 'POST', `/enrollments/${enrollmentA}/steps/needs-analysis/complete`, {
          evidence: 'RAPP-2',
        })
      ).status,
    ).toBe(200);
  });

  test('an attendance register: sessions, minutes per person, CSV', async () => {
    const url = `/enrollments/${enrollmentA}/steps/training`;
    const s = await http(store, 'giulia', 'POST', `${url}/sessions`, {
      date: '2026-12-03',
      start: '14:30',
      minutes: 120,
      place: 'Sala riunioni, via Roma 1',
    });
    expect(s.status).toBe(201);
    expect(s.body.startsAt).toBe('2026-12-03T13:30:00.000Z');
    const cancelled = await http(store, 'giulia', 'POST', `${url}/sessions`, {
      date: '2026-12-04',
      start: '09:00',
      minutes: 60,
    });
    expect((await http(store, 'giulia', 'POST', `/sessions/${cancelled.body.id}/cancel`)).body.cancelled).toBe(true);
    const people = await db.participant.findMany({
      where: { company: { enrollments: { some: { id: enrollmentA } } } },
      orderBy: { createdAt: 'asc' },
    });
    expect(
      (
        await http(store, 'giulia', 'POST', `/sessions/${s.body.id}/attendance`, {
          participantId: people[0]!.id,
          attendedMinutes: 110,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await http(store, 'giulia', 'POST', `/sessions/${s.body.id}/attendance`, {
          participantId: people[0]!.id,
          attendedMinutes: 500,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await http(store, 'giulia', 'POST', `/sessions/${cancelled.body.id}/attendance`, {
          participantId: people[0]!.id,
          attendedMinutes: 10,
        })
      ).status,
    ).toBe(422);
    expect(
      (await http(store, 'smeA', 'POST', `${url}/sessions`, { date: '2026-12-03', start: '14:30', minutes: 60 }))
        .status,
    ).toBe(403);
    expect(
      (await http(store, 'paolo', 'POST', `${url}/sessions`, { date: '2026-12-03', start: '14:30', minutes: 60 }))
        .status,
    ).toBe(404);
    expect(
      (
        await http(store, 'giulia', 'POST', `/enrollments/${enrollmentA}/steps/intake/sessions`, {
          date: '2026-12-03',
          start: '14:30',
          minutes: 60,
        })
      ).status,
    ).toBe(422);
    const csv = await http(store, 'smeA', 'GET', `${url}/register.csv`);
    expect(csv.status).toBe(200);
    const lines = csv.bytes.toString().trim().split('\r\n');
    expect(lines).toHaveLength(1 + 2 * people.length);
    expect(lines[1]).toContain(',2026-12-03 14:30,120,');
    expect(lines[1]).toContain(`${people[0]!.name},,110,Giulia Bianchi`);
    expect(lines.some((l) => l.includes(',yes,'))).toBe(true);
    expect((await http(store, 'anonymous', 'GET', `${url}/register.csv`)).status).toBe(404);
  });

  test("the dossier holds every document, the register, the self-declaration and the timeline; the manifest's hashes match", async () => {
    const r = await http(store, 'smeA', 'GET', `/enrollments/${enrollmentA}/dossier.zip`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    const entries = await unzip(r.bytes);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as {
      files: { file: string; sha256: string; kind: string; step: string | null; uploader: string | null }[];
    };
    const docs = manifest.files.filter((f) => f.kind === 'document');
    expect(docs).toHaveLength(3);
    expect(docs[0]).toMatchObject({ step: 'needs-analysis', uploader: 'Giulia Bianchi' });
    expect(entries.get(docs[0]!.file)!.equals(pdf)).toBe(true);
    for (const f of manifest.files) expect(sha(entries.get(f.file)!)).toBe(f.sha256);
    const sums = entries.get('manifest.sha256')!.toString().trim().split('\n');
    expect(sums).toHaveLength(manifest.files.length + 1);
    for (const line of sums) {
      const [hash, name] = line.split('  ');
      expect(sha(entries.get(name!)!)).toBe(hash);
    }
    expect([...entries.keys()]).toEqual(
      expect.arrayContaining([
        'registers/training.csv',
        'self-declaration.json',
        'self-declaration.txt',
        'timeline.csv',
        'timeline.json',
      ]),
    );
    expect(entries.get('self-declaration.txt')!.toString()).toContain('Marco Rossi');
    expect((await http(store, 'smeB', 'GET', `/enrollments/${enrollmentA}/dossier.zip`)).status).toBe(404);
    expect((await http(store, 'anonymous', 'GET', `/enrollments/${enrollmentA}/dossier.zip`)).status).toBe(404);
  });

  test('`conciliaflow dossier export` writes the same dossier through the API; sha256sum -c verifies it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-dossier-cli-'));
    const env = { ...process.env, CONCILIAFLOW_URL: bases[store], CONCILIAFLOW_TOKEN: tokens[store].smeA! };
    const r = await runCli(env, 'dossier', 'export', enrollmentA, '--out', path.join(dir, 'd.zip'));
    expect(r.stderr).toContain('sha256sum -c');
    expect(r.code).toBe(0);
    const entries = await unzip(fs.readFileSync(path.join(dir, 'd.zip')));
    for (const [name, data] of entries) {
      fs.mkdirSync(path.dirname(path.join(dir, 'x', name)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'x', name), data);
    }
    const check = spawnSync('sha256sum', ['-c', 'manifest.sha256'], { cwd: path.join(dir, 'x'), encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('manifest.json: OK');
    const denied = await runCli(
      { ...env, CONCILIAFLOW_TOKEN: tokens[store].smeB! },
      'dossier',
      'export',
      enrollmentA,
      '--out',
      path.join(dir, 'no.zip'),
    );
    expect(denied.code).toBe(3);
    expect(fs.existsSync(path.join(dir, 'no.zip'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the dossier of an ATS in an edition: one folder per enrollment, coordinators of their ATS only', async () => {
    const r = await http(store, 'admin', 'GET', `/dossiers?programme=demo-2026-2027&ats=ats-brianza`);
    expect(r.status).toBe(200);
    const entries = await unzip(r.bytes);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as {
      enrollments: string[];
      files: { file: string; sha256: string }[];
    };
    expect(manifest.enrollments).toContain(enrollmentA);
    expect(manifest.enrollments).not.toContain(enrollmentB);
    expect(entries.has(`${enrollmentA}/timeline.csv`)).toBe(true);
    for (const f of manifest.files) expect(sha(entries.get(f.file)!)).toBe(f.sha256);
    expect((await http(store, 'coordMilano', 'GET', `/dossiers?programme=demo-2026-2027&ats=ats-brianza`)).status).toBe(
      404,
    );
    expect((await http(store, 'giulia', 'GET', `/dossiers?programme=demo-2026-2027&ats=ats-brianza`)).status).toBe(403);
  });
});

test('the OpenAPI document declares the document routes', async () => {
  const doc = (await (await fetch(`${bases.filesystem}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { operationId: string }>>;
  };
  expect(doc.paths['/enrollments/{id}/steps/{stepKey}/documents']?.post?.operationId).toBe('uploadDocument');
  expect(doc.paths['/enrollments/{id}/documents']?.get?.operationId).toBe('listDocuments');
  expect(doc.paths['/documents/{id}']?.get?.operationId).toBe('downloadDocument');
  expect(doc.paths['/enrollments/{id}/dossier.zip']?.get?.operationId).toBe('enrollmentDossier');
});
