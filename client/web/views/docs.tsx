/**
 * The browsable API reference at /docs, from the OpenAPI document (no external scripts, so it
 * works offline): one section per operation with its roles, parameters, request body and responses.
 */
import { Layout } from './layout';

export interface Operation {
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

export interface ApiReferenceProps {
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

export function ApiReferencePage({ info, paths }: ApiReferenceProps) {
  const ops: { method: string; path: string; op: Operation }[] = [];
  for (const [path, methods] of Object.entries(paths))
    for (const [method, op] of Object.entries(methods)) ops.push({ method: method.toUpperCase(), path, op });
  const tags = [...new Set(ops.map((o) => o.op.tags[0] ?? 'other'))];
  return (
    <Layout locale="en" title={`${info.title} reference`} brand={`${info.title} · v${info.version}`}>
      <p>
        <a href="/openapi.json">openapi.json</a>
      </p>
      <h1>{info.title}</h1>
      <p>{info.description}</p>
      <nav aria-label="Operations">
        <ul>
          {tags.map((tag) => (
            <li>
              {tag}
              <ul>
                {ops
                  .filter((o) => o.op.tags[0] === tag)
                  .map((o) => (
                    <li>
                      <a href={`#${o.op.operationId}`}>
                        <code>
                          {o.method} {o.path}
                        </code>
                      </a>
                    </li>
                  ))}
              </ul>
            </li>
          ))}
        </ul>
      </nav>
      {ops.map(({ method, path, op }) => (
        <OperationSection method={method} path={path} op={op} />
      ))}
    </Layout>
  );
}

function OperationSection({ method, path, op }: { method: string; path: string; op: Operation }) {
  const roles = op.security && op.security.length === 0 ? 'public' : (op['x-roles'] ?? []).join(', ');
  const requestSchema = op.requestBody?.content['application/json']?.schema;
  return (
    <section id={op.operationId} class="operation">
      <h2>
        <code>
          {method} {path}
        </code>
      </h2>
      <p>
        {op.summary}
        {op.description ? (
          <>
            <br />
            {op.description}
          </>
        ) : null}
      </p>
      <p>
        Roles: <strong>{roles}</strong>
      </p>
      {op.parameters?.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">in</th>
              <th scope="col">required</th>
              <th scope="col">schema</th>
            </tr>
          </thead>
          <tbody>
            {op.parameters.map((p) => (
              <tr>
                <td>
                  <code>{p.name}</code>
                </td>
                <td>{p.in}</td>
                <td>{p.required ? 'yes' : 'no'}</td>
                <td>
                  <code>{JSON.stringify(p.schema)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {op.requestBody ? (
        <details>
          <summary>Request body</summary>
          <pre>{pretty(requestSchema)}</pre>
        </details>
      ) : null}
      <ul>
        {Object.entries(op.responses).map(([code, r]) => (
          <li>
            <strong>{code}</strong> {r.description}
            {r.content?.['application/json'] && code.startsWith('2') ? (
              <details>
                <summary>schema</summary>
                <pre>{pretty(r.content['application/json'].schema)}</pre>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
