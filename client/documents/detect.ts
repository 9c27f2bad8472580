/**
 * What a file is, from its bytes and never its name: the types a programme's evidence comes in.
 * PDF (PDF/A by its XMP pdfaid marker; signed by a /ByteRange + /Contents signature dictionary),
 * CAdES `.p7m` (CMS SignedData, DER or PEM, read with pkijs: the signer's common name and the
 * enclosed content's type), PNG, JPEG, ODT, DOCX and XLSX (ZIP containers checked for bombs with
 * bounded work). Anything else is refused by the caller with the list of accepted types.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import yauzl from 'yauzl';

export type DocumentType = 'pdf' | 'pdfa' | 'pdf-signed' | 'p7m' | 'png' | 'jpeg' | 'odt' | 'docx' | 'xlsx';

export const CONTENT_TYPES: Record<DocumentType, string> = {
  pdf: 'application/pdf',
  pdfa: 'application/pdf',
  'pdf-signed': 'application/pdf',
  p7m: 'application/pkcs7-mime',
  png: 'image/png',
  jpeg: 'image/jpeg',
  odt: 'application/vnd.oasis.opendocument.text',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export const ACCEPTED_TYPES_TEXT = 'PDF, PDF/A, PDF firmato, .p7m (CAdES), PNG, JPEG, ODT, DOCX, XLSX';

export interface Detected {
  type: DocumentType;
  contentType: string;
  signerName: string | null;
  /** For a .p7m: the type of what it signs (pdf, docx, …) or null when unknown. */
  enclosedType: DocumentType | null;
}

export type Refusal =
  { refused: 'unknown_type' } | { refused: 'zip_bomb'; reason: string } | { refused: 'malformed'; reason: string };

/** Bounds of the ZIP check: what a real office document stays well within. */
export const ZIP_LIMITS = {
  maxEntries: 5_000,
  maxTotalInflated: 100 * 1024 * 1024,
  /** Inflated over compressed size, past which an entry of more than 1 MB is a bomb. */
  maxRatio: 100,
};

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const COMMON_NAME = '2.5.4.3';

function startsWith(buf: Buffer, bytes: number[]): boolean {
  return bytes.every((b, i) => buf[i] === b);
}

export async function detectDocument(buf: Buffer, depth = 0): Promise<Detected | Refusal> {
  const head = buf.subarray(0, 1024).toString('latin1');
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return detected('png');
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return detected('jpeg');
  if (head.startsWith('%PDF-')) return detectPdf(buf);
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return detectZip(buf);
  if (depth === 0) {
    const der = cmsBytes(buf);
    if (der) return detectP7m(der, depth);
  }
  return { refused: 'unknown_type' };
}

function detected(type: DocumentType, signerName: string | null = null, enclosedType: DocumentType | null = null) {
  return { type, contentType: CONTENT_TYPES[type], signerName, enclosedType };
}

async function detectPdf(buf: Buffer): Promise<Detected> {
  const text = buf.toString('latin1');
  // A signature dictionary: the byte ranges it covers and the CMS blob in /Contents <hex>.
  const sig =
    /\/ByteRange\s*\[\s*\d+\s+\d+\s+\d+\s+\d+\s*\][\s\S]{0,2000}?\/Contents\s*<([0-9A-Fa-f\s]+)>/.exec(text) ??
    /\/Contents\s*<([0-9A-Fa-f\s]+)>[\s\S]{0,2000}?\/ByteRange\s*\[\s*\d+\s+\d+\s+\d+\s+\d+\s*\]/.exec(text);
  if (sig) {
    const hex = sig[1]!.replace(/\s+/g, '').replace(/(00)+$/, '');
    const signer = signerOf(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
    return detected('pdf-signed', signer?.name ?? null);
  }
  if (/pdfaid:part\s*(=\s*["']\d|>\s*\d)/.test(text)) return detected('pdfa');
  return detected('pdf');
}

/** DER as given, or the body of a PEM (PKCS7/CMS) block, or base64 of DER (as Italian tools often send). */
function cmsBytes(buf: Buffer): Buffer | null {
  if (buf[0] === 0x30) return buf;
  const text = buf.subarray(0, 64).toString('latin1');
  if (text.startsWith('-----BEGIN')) {
    const m = /-----BEGIN (?:PKCS7|CMS|SIGNED MESSAGE)-----([\s\S]*?)-----END/.exec(buf.toString('latin1'));
    return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : null;
  }
  if (/^MI[A-Za-z0-9+/]/.test(text)) {
    const decoded = Buffer.from(buf.toString('latin1').replace(/\s+/g, ''), 'base64');
    return decoded[0] === 0x30 ? decoded : null;
  }
  return null;
}

function parseSignedData(der: Buffer): pkijs.SignedData | null {
  const ab = der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
  const asn = asn1js.fromBER(ab);
  if (asn.offset === -1) return null;
  try {
    const info = new pkijs.ContentInfo({ schema: asn.result });
    if (info.contentType !== SIGNED_DATA) return null;
    return new pkijs.SignedData({ schema: info.content });
  } catch {
    return null;
  }
}

/** The common name of the certificate that signed, as its SignerInfo names it (else the first). */
function signerOf(der: Buffer): { name: string | null; signed: pkijs.SignedData } | null {
  const signed = parseSignedData(der);
  if (!signed) return null;
  const certs = (signed.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const sid = signed.signerInfos[0]?.sid;
  const cert =
    (sid instanceof pkijs.IssuerAndSerialNumber
      ? certs.find((c) => c.serialNumber.isEqual(sid.serialNumber) && c.issuer.isEqual(sid.issuer))
      : undefined) ?? certs[0];
  const cn = cert?.subject.typesAndValues.find((tv) => tv.type === COMMON_NAME);
  const name = cn ? String((cn.value as { valueBlock: { value: unknown } }).valueBlock.value) : null;
  return { name: name?.trim() || null, signed };
}

async function detectP7m(der: Buffer, depth: number): Promise<Detected | Refusal> {
  const signer = signerOf(der);
  if (!signer) return { refused: 'unknown_type' };
  const content = signer.signed.encapContentInfo.eContent;
  let enclosed: DocumentType | null = null;
  if (content) {
    // A constructed OCTET STRING (BER, as some tools write) is the concatenation of its parts.
    const inner = Buffer.from(
      content.idBlock.isConstructed
        ? Buffer.concat(
            (content.valueBlock.value as asn1js.OctetString[]).map((p) => Buffer.from(p.valueBlock.valueHexView)),
          )
        : Buffer.from(content.valueBlock.valueHexView),
    );
    const what = await detectDocument(inner, depth + 1);
    if ('refused' in what && what.refused === 'zip_bomb') return what;
    enclosed = 'type' in what ? what.type : null;
  }
  return detected('p7m', signer.name, enclosed);
}

/**
 * A ZIP is opened from memory (the upload is at most 20 MB) and read entry by entry: declared sizes
 * and ratios first, then every entry inflated with a running total, so a lying header cannot make
 * the check do more than ZIP_LIMITS.maxTotalInflated of work.
 */
async function detectZip(buf: Buffer): Promise<Detected | Refusal> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true }, (err, z) =>
        err || !z ? reject(err ?? new Error('no zip')) : resolve(z),
      ),
    );
  } catch (err) {
    return { refused: 'malformed', reason: `ZIP: ${(err as Error).message}` };
  }
  if (zip.entryCount > ZIP_LIMITS.maxEntries) {
    zip.close();
    return { refused: 'zip_bomb', reason: `${zip.entryCount} entries (at most ${ZIP_LIMITS.maxEntries})` };
  }
  const names = new Set<string>();
  let firstName: string | null = null;
  let mimetype = '';
  let declared = 0;
  let inflated = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        firstName ??= entry.fileName;
        names.add(entry.fileName);
        declared += entry.uncompressedSize;
        const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
        if (declared > ZIP_LIMITS.maxTotalInflated)
          return reject(new BombError(`declared inflated size over ${ZIP_LIMITS.maxTotalInflated} bytes`));
        if (entry.uncompressedSize > 1024 * 1024 && ratio > ZIP_LIMITS.maxRatio)
          return reject(new BombError(`entry ${entry.fileName} inflates ${Math.round(ratio)} times`));
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => {
            inflated += c.length;
            if (inflated > ZIP_LIMITS.maxTotalInflated) {
              stream.destroy();
              return reject(new BombError(`inflated size over ${ZIP_LIMITS.maxTotalInflated} bytes`));
            }
            if (entry.fileName === 'mimetype' && chunks.length < 4) chunks.push(c);
          });
          stream.on('error', (e: Error) =>
            reject(/too many bytes|expected/i.test(e.message) ? new BombError(e.message) : e),
          );
          stream.on('end', () => {
            if (entry.fileName === 'mimetype') mimetype = Buffer.concat(chunks).toString('latin1').slice(0, 200);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    if (err instanceof BombError) return { refused: 'zip_bomb', reason: err.message };
    return { refused: 'malformed', reason: `ZIP: ${(err as Error).message}` };
  }
  zip.close();
  if (firstName === 'mimetype' && mimetype.trim() === 'application/vnd.oasis.opendocument.text') return detected('odt');
  if (names.has('[Content_Types].xml')) {
    const has = (prefix: string) => [...names].some((n) => n.startsWith(prefix));
    if (has('word/')) return detected('docx');
    if (has('xl/')) return detected('xlsx');
  }
  return { refused: 'unknown_type' };
}

class BombError extends Error {}
