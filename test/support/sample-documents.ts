/**
 * Real sample files of every accepted type, made on the spot: PDFs written by hand, a CAdES .p7m
 * and a signed PDF signed by OpenSSL with a self-signed certificate, ZIP containers written with
 * yazl, and the hostile ones (an HTML page, a ZIP bomb).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';

export const SIGNER_NAME = 'Mario Rossi';

export function samplePdf(text = 'Piano di conciliazione', pad = 0): Buffer {
  const body = `BT /F1 12 Tf 72 712 Td (${text}) Tj ET`;
  return Buffer.from(
    `%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n` +
      `2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n` +
      `3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n` +
      `4 0 obj << /Length ${body.length} >> stream\n${body}\nendstream endobj\n` +
      `% ${'x'.repeat(pad)}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}

export function samplePdfA(): Buffer {
  const xmp =
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2" pdfaid:conformance="B"/>' +
    '</rdf:RDF></x:xmpmeta>';
  return Buffer.concat([
    samplePdf('PDF/A'),
    Buffer.from(`5 0 obj << /Type /Metadata /Subtype /XML >> stream\n${xmp}\nendstream endobj\n`),
  ]);
}

let keyDir: string | undefined;
/** A self-signed certificate and key whose subject's common name is SIGNER_NAME. */
function signingKey(): { cert: string; key: string } {
  keyDir ??= (() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-sign-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-subj',
        `/C=IT/O=Tessitura Brianzola/CN=${SIGNER_NAME}`,
      ],
      { stdio: 'ignore' },
    );
    return dir;
  })();
  return { cert: path.join(keyDir, 'cert.pem'), key: path.join(keyDir, 'key.pem') };
}

/** CMS SignedData by OpenSSL: attached (a .p7m around `content`) or detached (for a PDF signature). */
export function cmsSign(content: Buffer, opts: { detached?: boolean; pem?: boolean } = {}): Buffer {
  const { cert, key } = signingKey();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-cms-'));
  const input = path.join(dir, 'in');
  fs.writeFileSync(input, content);
  const out = execFileSync('openssl', [
    'cms',
    '-sign',
    '-binary',
    '-in',
    input,
    '-signer',
    cert,
    '-inkey',
    key,
    '-outform',
    opts.pem ? 'PEM' : 'DER',
    ...(opts.detached ? [] : ['-nodetach']),
  ]);
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

export function sampleP7m(opts: { pem?: boolean } = {}): Buffer {
  return cmsSign(samplePdf('Accordo firmato'), opts);
}

/** A PDF with a signature dictionary (/ByteRange and /Contents holding a detached CMS). */
export function sampleSignedPdf(): Buffer {
  const base = samplePdf('Regolamento firmato');
  const cms = cmsSign(base, { detached: true }).toString('hex').padEnd(8192, '0');
  return Buffer.concat([
    base,
    Buffer.from(
      `6 0 obj << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached ` +
        `/ByteRange [0 ${base.length} ${base.length + 8192} 0] /Contents <${cms}> >> endobj\n%%EOF\n`,
      'latin1',
    ),
  ]);
}

export function samplePng(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
}

export function sampleJpeg(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0scan'),
    Buffer.from([0xff, 0xd9]),
  ]);
}

function zipOf(entries: [string, Buffer, boolean?][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data, store] of entries) zip.addBuffer(data, name, { compress: !store });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

export function sampleOdt(): Promise<Buffer> {
  return zipOf([
    ['mimetype', Buffer.from('application/vnd.oasis.opendocument.text'), true],
    ['content.xml', Buffer.from('<office:document-content/>')],
    ['META-INF/manifest.xml', Buffer.from('<manifest:manifest/>')],
  ]);
}

export function sampleDocx(): Promise<Buffer> {
  return zipOf([
    ['[Content_Types].xml', Buffer.from('<Types/>')],
    ['word/document.xml', Buffer.from('<w:document/>')],
  ]);
}

export function sampleXlsx(): Promise<Buffer> {
  return zipOf([
    ['[Content_Types].xml', Buffer.from('<Types/>')],
    ['xl/workbook.xml', Buffer.from('<workbook/>')],
  ]);
}

/** A DOCX-shaped ZIP whose one entry inflates 40 MB of zeros from a few kilobytes. */
export function sampleZipBomb(): Promise<Buffer> {
  return zipOf([
    ['[Content_Types].xml', Buffer.from('<Types/>')],
    ['word/document.xml', Buffer.alloc(40 * 1024 * 1024)],
  ]);
}

export function sampleHtmlAsPdf(): Buffer {
  return Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
}
