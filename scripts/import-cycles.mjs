// Fails on any import cycle among our own TypeScript files, type-only imports included (eslint-plugin-import-x's
// no-cycle skips those, and a type-only cycle is still two files that cannot be understood one without the other).
// Run: node scripts/import-cycles.mjs  (npm run lint:cycles). Prints each cycle as a chain of files.
import { readFileSync } from 'fs';
import { dirname, relative, resolve } from 'path';
import { fileURLToPath } from 'url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const projects = ['tsconfig.json', 'src/webview/tsconfig.json'];

/** Each of our files → the files of ours it imports (import, import type, export … from, import(), require). */
const graph = new Map();
for (const project of projects) {
  const configPath = resolve(root, project);
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  for (const file of parsed.fileNames) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set();
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const resolved = ts.resolveModuleName(fileName, file, parsed.options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved && !resolved.includes('/node_modules/')) targets.add(resolve(resolved));
    }
    graph.set(resolve(file), targets);
  }
}

// Tarjan's strongly connected components: every component of more than one file (or a file importing itself) is a cycle.
let index = 0;
const indexOf = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
function connect(v) {
  indexOf.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!indexOf.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indexOf.get(w)));
  }
  if (low.get(v) === indexOf.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v).has(v)) components.push(component);
  }
}
for (const v of graph.keys()) if (!indexOf.has(v)) connect(v);

/** One shortest cycle through the component's first file, for the message. */
function cycleThrough(component) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const chain = [start];
        for (let u = v; u !== start; u = previous.get(u)) chain.splice(1, 0, u);
        return [...chain, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const name = (f) => relative(root, f);
for (const component of components) {
  console.error(`import cycle (${component.length} files): ${cycleThrough(component).map(name).join(' → ')}`);
  if (component.length > 2) console.error(`  the files in it: ${component.map(name).sort().join(', ')}`);
}
console.log(`${graph.size} files, ${components.length} import cycles`);
process.exitCode = components.length ? 1 : 0;
