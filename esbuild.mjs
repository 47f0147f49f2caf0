// Bundles the extension and the CLI into dist/. Run: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

/**
 * docker-modem loads its own SSH support (ssh2, ~60 ms) when it loads, for its `ssh` protocol, which Docker Prune
 * never uses: SSH hosts go through src/core/environments/sshTransport.ts (OpenSSH processes, or ssh2 loaded on first
 * use), given to docker-modem as a plain-HTTP agent. Its `lib/ssh.js` is replaced by a function that says so.
 * @type {import('esbuild').Plugin}
 */
const withoutModemSsh = {
  name: 'without-docker-modem-ssh',
  setup(build) {
    build.onResolve({ filter: /^\.\/ssh$/ }, (args) =>
      /[\\/]docker-modem[\\/]lib$/.test(args.resolveDir) ? { path: 'docker-modem-ssh', namespace: 'docker-prune-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'docker-prune-stub' }, () => ({
      contents:
        'module.exports = function () { throw new Error("docker-modem\'s own ssh protocol is not used: Docker Prune reaches SSH hosts through its own transport"); };',
      loader: 'js',
    }));
  },
};

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
  plugins: [withoutModemSsh],
};

const builds = [
  { ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js' },
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, 'vscode'] },
];

// The webviews' own scripts (browser code): src/webview/<view>/main.ts → dist/webview/<view>.js, with the
// view's main.css beside it, and the codicon font the pages use (shipped in the package: nothing remote).
const webviewDir = 'src/webview';
for (const view of existsSync(webviewDir) ? readdirSync(webviewDir) : []) {
  if (!existsSync(`${webviewDir}/${view}/main.ts`)) continue;
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify: production,
    sourcemap: production ? false : 'inline',
    logLevel: 'warning',
    entryPoints: [`${webviewDir}/${view}/main.ts`],
    outfile: `dist/webview/${view}.js`,
  });
  if (existsSync(`${webviewDir}/${view}/main.css`)) {
    mkdirSync('dist/webview', { recursive: true });
    copyFileSync(`${webviewDir}/${view}/main.css`, `dist/webview/${view}.css`);
  }
}
mkdirSync('dist/webview/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/webview/codicons/${f}`);

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
