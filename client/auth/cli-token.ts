import fs from 'node:fs';
import path from 'node:path';

/** The CLI's token: CONCILIAFLOW_TOKEN, else the embedded stack's var/cli-token when present. */
export function cliToken(varDir: string): string | undefined {
  if (process.env.CONCILIAFLOW_TOKEN) return process.env.CONCILIAFLOW_TOKEN;
  try {
    return fs.readFileSync(path.join(varDir, 'cli-token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
