#!/usr/bin/env node
// The `vscodeExecutablePath` handed to @vscode/test-electron's runTests when no desktop VS Code is
// available: it takes desktop VS Code's arguments and runs the suite in code-server + headless Chromium.
// Plain JS (not compiled) so it can be an executable file at a fixed path; the logic is compiled
// TypeScript in out/test/vscode/harness/launcher.js (run `tsc -p .` first).
'use strict';
const path = require('path');

const compiled = path.join(__dirname, '..', '..', 'out', 'test', 'vscode', 'harness', 'launcher.js');
let launcher;
try {
  launcher = require(compiled);
} catch (e) {
  process.stderr.write(`[vscode-test] cannot load ${compiled} (compile with \`npx tsc -p .\`): ${e.message}\n`);
  process.exit(1);
}
launcher.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`[vscode-test] ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
