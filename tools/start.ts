/**
 * `npm start`: from a fresh clone to Docker Prune running against your Docker.
 *  1. finds your engine (DOCKER_HOST or the local socket); when none answers, starts a private sandbox engine
 *     (Debian's dockerd, own data root and socket, no networking) with sample images;
 *  2. runs the CLI's preview against it (`docker-prune plan`);
 *  3. installs the packaged extension into your VS Code when `code` is on PATH; otherwise serves it in a
 *     browser-based VS Code (code-server) on 127.0.0.1 and prints the address. Ctrl-C stops what it started.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerEngine } from '../src/core/engine/dockerEngine';
import { describeProfile } from '../src/core/engine/engineProfile';
import { redactHost, resolveEndpoint } from '../src/core/engine/endpoint';
import { discoverEnvironments } from '../src/core/environments';
import { errorMessage } from '../src/core/errors';
import { startEngine, type TestEngine } from '../test/support/dockerd';
import { generateSandboxPopulation, loadPopulation } from '../test/support/population';
import { startCodeServer } from '../test/ui/codeServer';

const ROOT = path.resolve(__dirname, '../..');
const VSIX = path.join(ROOT, 'docker-prune.vsix');
const CLI = path.join(ROOT, 'dist', 'cli.js');

/** The engine the docker CLI would use now (--context/-H aside: DOCKER_HOST, DOCKER_CONTEXT, the current context, the local engine). */
async function findEngine(): Promise<{ dockerHost: string; sandbox?: TestEngine }> {
  const { environments, problems } = await discoverEnvironments();
  const current = environments.find((e) => e.current);
  const where = current ? `${current.name} (${redactHost(current.endpoint.host)})` : 'no current docker context';
  try {
    if (!current) throw new Error(problems.map((p) => p.message).join(' ') || 'no engine');
    const engine = new DockerEngine(resolveEndpoint({ ...current.endpoint, name: current.name }));
    await engine.ping();
    console.log(`Using your Docker engine: ${where}, ${describeProfile(await engine.profile())}.`);
    return { dockerHost: current.endpoint.host };
  } catch (e) {
    console.log(`No Docker engine answers at ${where} (${errorMessage(e)})`);
    console.log('Starting a sandbox engine with sample images instead (private data root, no networking)…');
    const sandbox = await startEngine({ name: 'sandbox' });
    await loadPopulation(sandbox.socketPath, generateSandboxPopulation(new Date()));
    console.log(`Sandbox engine ready: DOCKER_HOST=${sandbox.dockerHost}`);
    return { dockerHost: sandbox.dockerHost, sandbox };
  }
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  const { dockerHost, sandbox } = await findEngine();
  const env = { ...process.env, DOCKER_HOST: dockerHost };
  console.log('\n$ docker-prune plan --all');
  spawnSync(process.execPath, [CLI, 'plan', '--all'], { env, stdio: 'inherit' });
  console.log(
    `\nThe CLI: node ${path.relative(process.cwd(), CLI)} --help   (or "npm pack && npm install -g ./docker-prune-*.tgz" for a docker-prune command)\n`,
  );

  const cleanups: Array<() => Promise<void>> = [];
  if (sandbox) cleanups.push(() => sandbox.stop());
  if (onPath('code') && !process.argv.includes('--browser')) {
    execFileSync('code', ['--install-extension', VSIX, '--force'], { stdio: 'inherit' });
    console.log('Installed into VS Code: open the "Docker Prune" view in the activity bar.');
    if (!sandbox) return;
    console.log(`Point it at the sandbox with the setting dockerPrune.environments = [{ "name": "sandbox", "host": "${dockerHost}" }].`);
  } else {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-prune-ws-'));
    // The sandbox gets a short name in the tree (an entry with the same host as DOCKER_HOST takes its place).
    if (sandbox) {
      fs.mkdirSync(path.join(workspace, '.vscode'));
      fs.writeFileSync(
        path.join(workspace, '.vscode', 'settings.json'),
        JSON.stringify({ 'dockerPrune.environments': [{ name: 'sandbox', host: dockerHost }] }, null, 2),
      );
    }
    const server = await startCodeServer({ vsix: VSIX, workspace, env: { DOCKER_HOST: dockerHost }, trusted: true });
    cleanups.unshift(async () => {
      await server.stop();
      fs.rmSync(workspace, { recursive: true, force: true });
    });
    console.log(`\nDocker Prune is running in VS Code (code-server) — open:\n\n    ${server.url}\n`);
  }
  console.log('Ctrl-C stops it.');
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    for (const cleanup of cleanups) await cleanup().catch((e) => console.error(errorMessage(e)));
    process.exit(0);
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  await new Promise(() => undefined);
}

main().catch((e) => {
  console.error(`npm start: ${errorMessage(e)}`);
  process.exit(1);
});
