/**
 * The environment the harness reads, in one place: CI, and the URLs of the shared test services.
 */

/** Settings taken from the environment. */
export interface BenchEnv {
  /** `CI=true`: the Tidings targets and their services must be there; their absence fails the run. */
  readonly ci: boolean;
  readonly redisUrl: string;
  readonly databaseUrl: string;
}

/** Read {@link BenchEnv} from `env` (default: process.env). */
export function readBenchEnv(env: NodeJS.ProcessEnv = process.env): BenchEnv {
  return {
    ci: env.CI === 'true' || env.CI === '1',
    redisUrl: env.TIDINGS_TEST_REDIS_URL || 'redis://127.0.0.1:6379',
    databaseUrl: env.TIDINGS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  };
}
