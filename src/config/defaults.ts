/**
 * The one place a configuration is completed: every setting's default (from the SETTINGS table), the
 * development secrets (only where asked for, and then flagged so the server announces them), the demo's
 * default, and the production check. `loadConfig` (environment and flags) and `configFromSettings`
 * (`createTidings({ settings })`) both end here; `createServer` takes its defaults from {@link DEFAULTS}.
 */
import { z } from 'zod';
import { TidingsError } from '../errors.js';
import { SETTINGS, type SettingName } from './settings.js';

type Shape = { [K in SettingName]: (typeof SETTINGS)[K]['schema'] };
/** Settings as parsed, before completion. */
export type Parsed = { [K in SettingName]: z.output<Shape[K]> };

/** The effective configuration (see SETTINGS for each field's meaning). */
export type Config = Readonly<
  Omit<Parsed, 'demo'> & {
    demo: boolean;
    /** True when jwtSecret or apiKey is a built-in development value. */
    devSecrets: boolean;
  }
>;

/** Development-only credentials: public, so never used unless asked for (see {@link completeConfig}). */
export const DEV_JWT_SECRET = 'tidings-development-secret-do-not-use-in-production';
export const DEV_API_KEY = 'tidings-development-api-key';

const NAMES = Object.keys(SETTINGS) as SettingName[];

/** The zod schema of every setting, defaults included. */
export function settingsSchema(): z.ZodObject<Record<string, z.ZodType>> {
  const shape: Record<string, z.ZodType> = {};
  for (const name of NAMES) {
    const s = SETTINGS[name] as { schema: z.ZodType; default?: unknown };
    shape[name] = 'default' in s ? s.schema.default(s.default as never) : s.schema;
  }
  return z.object(shape);
}

/** Every setting's default (no secrets: none has a default). */
export const DEFAULTS: Readonly<Parsed> = Object.freeze(settingsSchema().parse({}) as Parsed);

/**
 * The demo (which signs tokens for alice, bob and carol on request) is on by default only in development
 * with the built-in development secret: with a real `TIDINGS_JWT_SECRET` it would let anyone act as a real
 * user named alice. `TIDINGS_DEMO=1` turns it on anyway (and the server says so at start).
 */
export function defaultDemo(env: string, jwtSecret: string | undefined): boolean {
  return env === 'development' && jwtSecret === DEV_JWT_SECRET;
}

/**
 * Complete a configuration. With `devSecrets`, a missing HS256 secret (when no public key or JWKS URL is
 * set) and a missing API key are the public development values, and `devSecrets` is true in the result.
 * @throws TidingsError CONFIG_INVALID for production without a token key or an API key.
 */
export function completeConfig(c: Parsed, options: { devSecrets: boolean }): Config {
  const keyless = !c.jwtPublicKey && !c.jwksUrl;
  const jwtSecret = c.jwtSecret ?? (options.devSecrets && keyless ? DEV_JWT_SECRET : undefined);
  const apiKey = c.apiKey ?? (options.devSecrets ? DEV_API_KEY : undefined);
  if (c.env === 'production' && ((!jwtSecret && keyless) || !apiKey)) {
    throw new TidingsError('CONFIG_INVALID', 'production needs a token key (jwtSecret, jwtPublicKey or jwksUrl) and an apiKey');
  }
  return Object.freeze({
    ...c,
    jwtSecret,
    apiKey,
    demo: c.demo ?? defaultDemo(c.env, jwtSecret),
    devSecrets: jwtSecret === DEV_JWT_SECRET || apiKey === DEV_API_KEY,
  });
}

/**
 * The configuration of an embedded server (`createTidings({ settings })`): the defaults with `settings` over
 * them. The environment is never read (pass `loadConfig({ env: process.env })` as `config` for that, as the
 * CLI does), and the development secrets are used only when `env: 'development'` is given explicitly.
 * @throws TidingsError CONFIG_INVALID for production settings without a token key or an API key.
 */
export function configFromSettings(settings: Partial<Config>): Config {
  const { devSecrets: _ignored, ...given } = settings;
  return completeConfig({ ...DEFAULTS, ...given } as Parsed, { devSecrets: settings.env === 'development' });
}
