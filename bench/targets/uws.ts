/**
 * Target `uws`: uWebSockets.js native pub/sub (uws-reference.ts), the second reference: how far the native
 * limit is. Its binary is loaded once here, in the harness, to know whether it can run on this machine
 * (the binaries need a recent glibc); where it cannot, every row says "unavailable" with the loader's reason.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { referenceTarget } from './ws.js';

let loadError: string | null | undefined;

/** Why uWebSockets.js cannot run here (package missing, binary missing or not loadable), or null. */
export function uwsLoadError(): string | null {
  if (loadError !== undefined) return loadError;
  try {
    const entry = fileURLToPath(import.meta.resolve('uws-pack'));
    const binary = new URL(`./bin/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`, `file://${entry}`);
    createRequire(import.meta.url)(fileURLToPath(binary));
    loadError = null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    loadError = `uWebSockets.js does not load here: ${message.split('\n')[0]?.slice(0, 200) ?? ''}`;
  }
  return loadError;
}

/** The native reference; optional (never a failure, even in CI smoke runs). */
export const uwsTarget = referenceTarget({
  name: 'uws',
  title: 'uWebSockets.js native pub/sub (uws-pack 20.0.8)',
  script: fileURLToPath(new URL('./uws-reference.ts', import.meta.url)),
  unavailableReason: uwsLoadError,
  optional: true,
});
