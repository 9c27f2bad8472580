/**
 * The documents of an enrollment, step by step, with an upload form per step (multipart, works
 * without JavaScript; its CSRF token rides in the action URL as the body is read after the check),
 * and the part of the enrollment page's timeline that lists uploads.
 */
import { Layout, type NavUser } from './layout';
import { DOC_T, formatSize } from './texts-documents';
import type { Locale } from './texts';

export interface DocumentRow {
  id: string;
  filename: string;
  type: string;
  signerName: string | null;
  uploaderName: string;
  at: string;
  when: string;
  size: string;
  sha256: string;
  superseded: boolean;
}

export interface DocumentStepSection {
  key: string;
  name: string;
  /** The catalogue's evidence label when the step's evidence is a document. */
  needs: string | null;
  hasRegister: boolean;
  documents: DocumentRow[];
}

export interface DocumentsPageProps {
  locale: Locale;
  here: string;
  user: NavUser;
  enrollmentId: string;
  companyName: string;
  mayUpload: boolean;
  steps: DocumentStepSection[];
  notice: string | null;
  error: string | null;
}

export const documentsPath = (enrollmentId: string) => `/app/enrollments/${encodeURIComponent(enrollmentId)}/documents`;

export function DocumentsPage(p: DocumentsPageProps) {
  const t = DOC_T[p.locale];
  const id = encodeURIComponent(p.enrollmentId);
  return (
    <Layout locale={p.locale} title={`${t.documents} · ${p.companyName} · conciliaflow`} here={p.here} user={p.user}>
      <h1>
        {t.documentsOf}: {p.companyName}
      </h1>
      {p.notice ? (
        <p class="flash ok" role="status">
          {p.notice}
        </p>
      ) : null}
      {p.error ? (
        <p class="flash err" role="alert">
          {p.error}
        </p>
      ) : null}
      <p class="doc-links">
        <a href={`/app/enrollments/${id}`}>{t.backToEnrollment}</a> ·{' '}
        <a href={`/enrollments/${id}/dossier.zip`} download>
          {t.dossier}
        </a>
      </p>
      {p.steps.map((s) => (
        <section class="doc-step" aria-labelledby={`step-${s.key}`}>
          <h2 id={`step-${s.key}`}>{s.name}</h2>
          {s.needs ? (
            <p>
              {t.needed}: <strong>{s.needs}</strong>
            </p>
          ) : null}
          {s.hasRegister ? (
            <p>
              <a href={`/app/enrollments/${id}/steps/${encodeURIComponent(s.key)}/register`}>{t.register}</a>
            </p>
          ) : null}
          {s.documents.length === 0 ? (
            <p>{t.noDocuments}</p>
          ) : (
            <table class="responsive">
              <caption class="visually-hidden">
                {t.documents}: {s.name}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t.file}</th>
                  <th scope="col">{t.type}</th>
                  <th scope="col">{t.uploadedBy}</th>
                  <th scope="col">{t.when}</th>
                  <th scope="col">{t.size}</th>
                  <th scope="col">{t.hash}</th>
                </tr>
              </thead>
              <tbody>
                {s.documents.map((d) => (
                  <tr class={d.superseded ? 'superseded' : undefined}>
                    <th scope="row" data-label={t.file}>
                      <a href={`/documents/${encodeURIComponent(d.id)}`} download>
                        {d.filename}
                      </a>
                      {d.superseded ? <small> ({t.superseded})</small> : null}
                    </th>
                    <td data-label={t.type}>
                      {d.type}
                      {d.signerName ? (
                        <>
                          <br />
                          <small>
                            {t.signer}: {d.signerName}
                          </small>
                        </>
                      ) : null}
                    </td>
                    <td data-label={t.uploadedBy}>{d.uploaderName}</td>
                    <td data-label={t.when}>
                      <time dateTime={d.at}>{d.when}</time>
                    </td>
                    <td data-label={t.size}>{d.size}</td>
                    <td data-label={t.hash}>
                      <code class="hash">{d.sha256}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {p.mayUpload ? (
            <form
              method="post"
              enctype="multipart/form-data"
              class="upload"
              action={`/app/enrollments/${id}/steps/${encodeURIComponent(s.key)}/documents?csrf_token=${encodeURIComponent(p.user.csrf)}`}
            >
              <label for={`file-${s.key}`}>
                {t.chooseFile} ({s.name})
              </label>
              <input
                id={`file-${s.key}`}
                type="file"
                name="file"
                required
                aria-describedby={`hint-${s.key}`}
                accept=".pdf,.p7m,.png,.jpg,.jpeg,.odt,.docx,.xlsx"
              />
              <small id={`hint-${s.key}`}>{t.uploadHint}</small>
              <button type="submit">{t.upload}</button>
            </form>
          ) : null}
        </section>
      ))}
    </Layout>
  );
}

export interface DocumentTimelineItem {
  id: string;
  at: string;
  when: string;
  filename: string;
  stepName: string;
  uploaderName: string;
}

/** The uploads of an enrollment as timeline entries, and the way to its documents page. */
export function DocumentsTimeline(p: { locale: Locale; enrollmentId: string; items: DocumentTimelineItem[] }) {
  const t = DOC_T[p.locale];
  return (
    <section aria-labelledby="documents-timeline">
      <h2 id="documents-timeline">{t.documents}</h2>
      {p.items.length > 0 ? (
        <ol class="timeline">
          {p.items.map((d) => (
            <li>
              <time dateTime={d.at}>{d.when}</time>
              <strong>{t.documentUploaded}</strong>: {d.stepName} ·{' '}
              <a href={`/documents/${encodeURIComponent(d.id)}`}>{d.filename}</a> <span>({d.uploaderName})</span>
            </li>
          ))}
        </ol>
      ) : (
        <p>{t.noDocuments}</p>
      )}
      <p>
        <a href={documentsPath(p.enrollmentId)}>{t.timelineLink}</a>
      </p>
    </section>
  );
}

export { formatSize };
