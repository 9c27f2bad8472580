/**
 * The browsable API reference at /docs, rendered on the server from the OpenAPI document (no
 * external scripts, so it works offline): one section per operation with its roles, parameters,
 * request body and responses.
 */
import { esc } from '../../activities/reports/page';

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  'x-roles'?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

/** The exact contents of the page's <style> element: the Content-Security-Policy allows it by hash. */
export const DOCS_CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a}header{background:#00843D;color:#fff;padding:1rem}main{padding:1rem;max-width:70rem;margin:auto}
section{border-top:1px solid #ddd;padding:.5rem 0}pre{background:#f4f4f4;padding:.5rem;overflow:auto}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}header a{color:#fff}`;

const pretty = (v: unknown) => esc(JSON.stringify(v, null, 2));

export function renderApiReference(doc: Record<string, unknown>): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const ops: { method: string; path: string; op: Operation }[] = [];
  for (const [path, methods] of Object.entries(paths))
    for (const [method, op] of Object.entries(methods)) ops.push({ method: method.toUpperCase(), path, op });
  const tags = [...new Set(ops.map((o) => o.op.tags[0] ?? 'other'))];
  const toc = tags
    .map(
      (tag) =>
        `<li>${esc(tag)}<ul>${ops
          .filter((o) => o.op.tags[0] === tag)
          .map((o) => `<li><a href="#${esc(o.op.operationId)}"><code>${o.method} ${esc(o.path)}</code></a></li>`)
          .join('')}</ul></li>`,
    )
    .join('');
  const sections = ops
    .map(({ method, path, op }) => {
      const roles = op.security && op.security.length === 0 ? 'public' : (op['x-roles'] ?? []).join(', ');
      const params = op.parameters?.length
        ? `<table><thead><tr><th scope="col">name</th><th scope="col">in</th><th scope="col">required</th><th scope="col">schema</th></tr></thead><tbody>${op.parameters
            .map(
              (p) =>
                `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`,
            )
            .join('')}</tbody></table>`
        : '';
      const body = op.requestBody
        ? `<details><summary>Request body</summary><pre>${pretty(op.requestBody.content['application/json']?.schema)}</pre></details>`
        : '';
      const responses = Object.entries(op.responses)
        .map(
          ([code, r]) =>
            `<li><strong>${esc(code)}</strong> ${esc(r.description)}${r.content?.['application/json'] && code.startsWith('2') ? `<details><summary>schema</summary><pre>${pretty(r.content['application/json'].schema)}</pre></details>` : ''}</li>`,
        )
        .join('');
      return `<section id="${esc(op.operationId)}"><h2><code>${method} ${esc(path)}</code></h2>
<p>${esc(op.summary)}${op.description ? `<br>${esc(op.description)}` : ''}</p>
<p>Roles: <strong>${esc(roles)}</strong></p>${params}${body}<ul>${responses}</ul></section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.title)} reference</title>
<style>${DOCS_CSS}</style></head>
<body><header>${esc(info.title)} · v${esc(info.version)} · <a href="/openapi.json">openapi.json</a></header><main>
<h1>${esc(info.title)}</h1><p>${esc(info.description)}</p><nav aria-label="Operations"><ul>${toc}</ul></nav>${sections}</main></body></html>`;
}
