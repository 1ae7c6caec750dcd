// Bundles the browser code with esbuild and emits its type declarations with tsc.
//   src/client/index.ts -> dist/client/index.js -> public/static/tidings-client.js
//   src/widget/index.ts -> dist/widget/index.js -> public/static/tidings-bell.js   (includes the client)
// Both are ES modules, minified, target es2020, with no dependencies. Called by scripts/build-client.mjs.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Budget of the client alone, min+gzip (the README states the measured size). */
const CLIENT_BUDGET = 5 * 1024;

const BUNDLES = [
  { name: 'client', entry: 'src/client/index.ts', out: 'dist/client/index.js', copy: 'public/static/tidings-client.js' },
  { name: 'widget', entry: 'src/widget/index.ts', out: 'dist/widget/index.js', copy: 'public/static/tidings-bell.js' },
];

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;

async function bundle({ entry, out, copy }) {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile: join(ROOT, out),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  mkdirSync(dirname(join(ROOT, copy)), { recursive: true });
  copyFileSync(join(ROOT, out), join(ROOT, copy));
  const code = readFileSync(join(ROOT, out));
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

function emitDeclarations() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'src/client/tsconfig.json')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('tsc -p src/client/tsconfig.json failed');
}

/**
 * Builds both bundles, copies them under public/static/, emits .d.ts into dist/ and prints the sizes.
 * Resolves with the sizes in bytes; rejects if esbuild or tsc fails.
 */
export async function buildClient() {
  const sizes = {};
  for (const spec of BUNDLES) sizes[spec.name] = await bundle(spec);
  emitDeclarations();
  for (const spec of BUNDLES) {
    const { min, gzip } = sizes[spec.name];
    console.log(`${spec.copy}: ${kb(min)} min, ${kb(gzip)} min+gzip`);
  }
  if (sizes.client.gzip > CLIENT_BUDGET) {
    console.warn(`warning: the client is ${kb(sizes.client.gzip)} min+gzip, over its ${kb(CLIENT_BUDGET)} budget`);
  }
  return sizes;
}
