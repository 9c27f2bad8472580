/**
 * `npm run build:cli`: compiles the CLI (client/cli/main.ts and the project's TypeScript it reaches,
 * the Prisma client in generated/ included) into one CommonJS file, dist/cli.js, with esbuild, so
 * that `conciliaflow` starts without compiling TypeScript on every call. Packages in node_modules
 * stay outside the bundle and are required from there as they are.
 *
 * Run by postinstall (after prisma generate), by `npm start` when the build is not current, and by
 * `npm test`. dist/cli-inputs.json lists the source files the bundle was made from and when the build
 * started; bin/conciliaflow.js runs the bundle only while none of those files is newer than that,
 * and the TypeScript through tsx otherwise, so an edit is never hidden by a stale bundle.
 *
 * Two things differ in a bundle and are put back per source file: `__dirname`/`__filename` (files
 * find var/, templates, migrations relative to themselves), mapped to the source file's own folder;
 * and a script's `if (require.main === module)` block, which belongs to running that script itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(__dirname, '..');
export const CLI_DIST = path.join(root, 'dist');
const ENTRY = path.join(root, 'client', 'cli', 'main.ts');
const INPUTS_FILE = path.join(CLI_DIST, 'cli-inputs.json');

function sourceLocations(): Plugin {
  return {
    name: 'source-locations',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        let contents = await fs.promises.readFile(args.path, 'utf8');
        const relDir = path.relative(root, path.dirname(args.path)).split(path.sep).join('/');
        const prelude: string[] = [];
        if (/\b__dirname\b/.test(contents)) {
          contents = contents.replace(/\b__dirname\b/g, '__cf_dirname');
          prelude.push(`const __cf_dirname = require('node:path').join(__cf_root, ${JSON.stringify(relDir)});`);
        }
        if (/\b__filename\b/.test(contents)) {
          contents = contents.replace(/\b__filename\b/g, '__cf_filename');
          const rel = path.relative(root, args.path).split(path.sep).join('/');
          prelude.push(`const __cf_filename = require('node:path').join(__cf_root, ${JSON.stringify(rel)});`);
        }
        if (args.path !== ENTRY) contents = contents.replace(/\brequire\.main\s*===\s*module\b/g, 'false');
        return { contents: prelude.length ? `${prelude.join(' ')}\n${contents}` : contents, loader: 'ts' };
      });
    },
  };
}

/** Builds dist/cli.js (and its source map and input list); files are replaced whole, never half-written. */
export async function buildCli(): Promise<{ inputs: number; ms: number }> {
  const startedAt = Date.now();
  const result = await build({
    entryPoints: [ENTRY],
    outfile: path.join(CLI_DIST, 'cli.js'),
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    // generated/ may be a symlink (a shared install): its files keep their paths inside the repository.
    preserveSymlinks: true,
    // import() of a package (the Prisma client's wasm loader) becomes require, as under tsx.
    supported: { 'dynamic-import': false },
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    banner: { js: `'use strict';\nconst __cf_root = require('node:path').resolve(__dirname, '..');` },
    plugins: [sourceLocations()],
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) =>
    path.relative(root, path.resolve(root, p)).split(path.sep).join('/'),
  );
  fs.mkdirSync(CLI_DIST, { recursive: true });
  const files = [
    ...result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })),
    // Written last: it is what says the bundle is there and current.
    { path: INPUTS_FILE, contents: Buffer.from(JSON.stringify({ builtAt: startedAt, inputs }) + '\n') },
  ];
  for (const f of files) {
    const partial = `${f.path}.${process.pid}.partial`;
    fs.writeFileSync(partial, f.contents);
    fs.renameSync(partial, f.path);
  }
  return { inputs: inputs.length, ms: Date.now() - startedAt };
}

/** Whether dist/cli.js exists and no file it was built from changed since (as bin/conciliaflow.js decides). */
export function cliBuildIsCurrent(): boolean {
  try {
    const { builtAt, inputs } = JSON.parse(fs.readFileSync(INPUTS_FILE, 'utf8')) as {
      builtAt: number;
      inputs: string[];
    };
    if (!fs.existsSync(path.join(CLI_DIST, 'cli.js'))) return false;
    return inputs.every((input) => fs.statSync(path.join(root, input)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

/**
 * node_modules/.bin/conciliaflow → bin/conciliaflow.js, so that `npx conciliaflow` in the project
 * finds the command there and runs it at once. package.json declares no `bin` on purpose: npx, given
 * a name the project's own package.json declares as a bin, installs the project into its cache and
 * loads the whole dependency tree first, on every call (about 5 s, against 0.3 s for npx to run any
 * local command at all).
 */
export function linkCliBin(): void {
  const binDir = path.join(root, 'node_modules', '.bin');
  const link = path.join(binDir, 'conciliaflow');
  const target = path.relative(fs.realpathSync(binDir), path.join(root, 'bin', 'conciliaflow.js'));
  try {
    if (fs.readlinkSync(link) === target) return;
    fs.unlinkSync(link);
  } catch {
    // not there yet, or not a link
  }
  fs.symlinkSync(target, link);
}

if (require.main === module) {
  if (fs.existsSync(path.join(root, 'node_modules', '.bin'))) linkCliBin();
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && cliBuildIsCurrent()) process.exit(0);
  buildCli().then(
    ({ inputs, ms }) => process.stderr.write(`[build:cli] dist/cli.js from ${inputs} files in ${ms} ms\n`),
    (err) => {
      process.stderr.write(`[build:cli] failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
