/**
 * Child scripts (load workers, the reference server, the SDK server) are bundled once per run with esbuild
 * into `bench/.build/`, so children start as plain `node x.mjs`: fast, and without the tsx loader thread in
 * the reference server's CPU and memory. Packages stay external and resolve from the project's node_modules.
 */
import { build } from 'esbuild';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT_DIR = fileURLToPath(new URL('../.build/', import.meta.url));
const built = new Map<string, Promise<string>>();

/** Path of the runnable `.mjs` for the TypeScript entry `entry` (absolute path), built on first use. */
export function compiledScript(entry: string): Promise<string> {
  let result = built.get(entry);
  if (!result) {
    const outfile = `${OUT_DIR}${basename(entry).replace(/\.ts$/, '')}.mjs`;
    result = build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'error',
    }).then(() => outfile);
    built.set(entry, result);
  }
  return result;
}
