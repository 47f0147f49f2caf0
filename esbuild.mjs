// Bundles the extension and the CLI into dist/. Run: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { readFileSync } from 'fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
  define: { DOCKER_PRUNE_VERSION: JSON.stringify(version) },
  // docker-modem → ssh2 tries two optional native modules inside try/catch and works without them:
  // leave them out of the bundle rather than fail on them.
  external: ['cpu-features', '*.node'],
};

const builds = [
  { ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js' },
];
try {
  readFileSync('src/extension.ts');
  builds.push({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, 'vscode'] });
} catch {
  // the extension entry is optional while only the core and CLI exist
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
