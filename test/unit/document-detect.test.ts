/** Type recognition by content: every accepted type, the signer of a .p7m and a signed PDF, the refusals. */
import { detectDocument } from '../../client/documents/detect';
import * as s from '../support/sample-documents';

test('each accepted type is recognised by its content', async () => {
  expect(await detectDocument(s.samplePdf())).toMatchObject({ type: 'pdf', contentType: 'application/pdf' });
  expect(await detectDocument(s.samplePdfA())).toMatchObject({ type: 'pdfa' });
  expect(await detectDocument(s.samplePng())).toMatchObject({ type: 'png', contentType: 'image/png' });
  expect(await detectDocument(s.sampleJpeg())).toMatchObject({ type: 'jpeg' });
  expect(await detectDocument(await s.sampleOdt())).toMatchObject({ type: 'odt' });
  expect(await detectDocument(await s.sampleDocx())).toMatchObject({ type: 'docx' });
  expect(await detectDocument(await s.sampleXlsx())).toMatchObject({ type: 'xlsx' });
});

test('a CAdES .p7m (DER and PEM) names its signer and the type it encloses', async () => {
  for (const pem of [false, true])
    expect(await detectDocument(s.sampleP7m({ pem }))).toEqual({
      type: 'p7m',
      contentType: 'application/pkcs7-mime',
      signerName: s.SIGNER_NAME,
      enclosedType: 'pdf',
    });
});

test('a signed PDF names its signer', async () => {
  expect(await detectDocument(s.sampleSignedPdf())).toMatchObject({ type: 'pdf-signed', signerName: s.SIGNER_NAME });
});

test('an HTML page, plain text, a foreign ZIP and a ZIP bomb are refused', async () => {
  expect(await detectDocument(s.sampleHtmlAsPdf())).toEqual({ refused: 'unknown_type' });
  expect(await detectDocument(Buffer.from('hello'))).toEqual({ refused: 'unknown_type' });
  expect(await detectDocument(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).toEqual({ refused: 'unknown_type' });
  const bomb = await s.sampleZipBomb();
  expect(bomb.length).toBeLessThan(200_000);
  expect(await detectDocument(bomb)).toMatchObject({ refused: 'zip_bomb' });
});
