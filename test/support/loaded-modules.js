// Preloaded with NODE_OPTIONS=--require: when the process exits, writes the files it loaded through
// require (require.cache) to LOADED_MODULES_FILE, one path a line. Used by test/e2e/cli-build.test.ts.
'use strict';
const fs = require('node:fs');

const out = process.env.LOADED_MODULES_FILE;
if (out) process.on('exit', () => fs.writeFileSync(out, Object.keys(require.cache).join('\n') + '\n'));
