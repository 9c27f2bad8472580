#!/usr/bin/env node
// The CLI compiled at install time (dist/cli.js, by `npm run build:cli`: postinstall, `npm start` and
// `npm test` run it) when it is current, i.e. none of the source files it was built from (listed in
// dist/cli-inputs.json) changed after the build started; otherwise, or with CONCILIAFLOW_CLI_SOURCE=1,
// the TypeScript itself through tsx, so an edit is never hidden by a stale build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function currentBuild() {
  if (process.env.CONCILIAFLOW_CLI_SOURCE === '1') return undefined;
  const root = path.join(__dirname, '..');
  try {
    const { builtAt, inputs } = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'cli-inputs.json'), 'utf8'));
    for (const input of inputs) if (fs.statSync(path.join(root, input)).mtimeMs > builtAt) return undefined;
    const bundle = path.join(root, 'dist', 'cli.js');
    return fs.existsSync(bundle) ? bundle : undefined;
  } catch {
    return undefined;
  }
}

// `conciliaflow … | head` closes the pipe early: that ends the output, it is not a failure.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const bundle = currentBuild();
if (bundle) {
  require(bundle);
} else {
  require('tsx/cjs');
  require('../client/cli/main.ts');
}
