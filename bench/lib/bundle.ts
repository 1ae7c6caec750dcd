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

/**
 * Bundle the TypeScript entry `entry` into the ESM file `outfile` for Node 20. Packages stay external and
 * resolve from node_modules, unless `inlinePackages`: then they are bundled too (all but the native ones),
 * which loads about a third faster (the tests' child servers).
 */
export async function bundleScript(entry: string, outfile: string, options: { inlinePackages?: boolean } = {}): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    ...(options.inlinePackages
      ? {
          external: ['better-sqlite3', 'pg-native'],
          // CommonJS packages inside an ESM bundle still call require().
          banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
        }
      : { packages: 'external' as const, sourcemap: 'inline' as const }),
  });
  return outfile;
}

/** Path of the runnable `.mjs` for the TypeScript entry `entry` (absolute path), built on first use. */
export function compiledScript(entry: string): Promise<string> {
  let result = built.get(entry);
  if (!result) {
    result = bundleScript(entry, `${OUT_DIR}${basename(entry).replace(/\.ts$/, '')}.mjs`);
    built.set(entry, result);
  }
  return result;
}
