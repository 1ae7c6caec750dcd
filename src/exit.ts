/**
 * Exits for the command line (used only by cli.ts and main.ts, the two places allowed to end the process).
 * Kept apart from main.ts so that `tidings send` and `tidings token` do not load the server stack.
 */
import { loadConfig, type Config } from './config/index.js';

/** Print `tidings: <message>` on stderr and exit with `code`. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`tidings: ${message}\n`);
  process.exit(code);
}

/** Load the configuration from the environment and `argv`, or exit 1 with every problem named. */
export function configOrExit(argv: readonly string[]): Config {
  try {
    return loadConfig({ env: process.env, argv });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}
