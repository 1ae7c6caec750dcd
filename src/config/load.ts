/**
 * Load the configuration: defaults <- environment (TIDINGS_*) <- CLI flags, validated in one pass so every
 * problem is reported at once. The result is frozen.
 */
import { TidingsError } from '../errors.js';
import { redactUrl } from '../log/index.js';
import { completeConfig, settingsSchema, type Config, type Parsed } from './defaults.js';
import { SETTINGS, envName, flagName, type SettingName } from './settings.js';

const BOOLEAN_FLAGS = new Set<string>(['proxyHeaders', 'redisOptional', 'allowAnonymous', 'perMessageDeflate', 'demo']);
const NAMES = Object.keys(SETTINGS) as SettingName[];
const BY_FLAG = new Map(NAMES.map((n) => [flagName(n), n]));

/** Raised for unknown flags; collected with schema problems. */
function parseArgv(argv: readonly string[], problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const [rawFlag, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const negated = rawFlag.startsWith('no-') && BY_FLAG.has(rawFlag.slice(3));
    const name = BY_FLAG.get(negated ? rawFlag.slice(3) : rawFlag);
    if (!name) {
      problems.push(`unknown option --${rawFlag}`);
      continue;
    }
    if (BOOLEAN_FLAGS.has(name)) out[name] = negated ? false : (inline ?? true);
    else if (inline !== undefined) out[name] = inline;
    else if (i + 1 < argv.length) out[name] = argv[++i];
    else problems.push(`option --${rawFlag} needs a value`);
  }
  return out;
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of NAMES) {
    const value = env[envName(name)];
    if (value !== undefined && value !== '') out[name] = value;
  }
  if (out.env === undefined && env.NODE_ENV === 'production') out.env = 'production';
  return out;
}

function checkCombinations(c: Parsed, problems: string[]): void {
  if (c.env === 'production') {
    if (!c.jwtSecret && !c.jwtPublicKey && !c.jwksUrl) {
      problems.push(`production needs ${envName('jwtSecret')} (or ${envName('jwtPublicKey')} / ${envName('jwksUrl')})`);
    }
    if (!c.apiKey) problems.push(`production needs ${envName('apiKey')}`);
  }
  if (c.layer !== undefined && c.layer !== 'memory' && !c.redisUrl) {
    problems.push(`layer ${c.layer} (--layer / ${envName('layer')}) needs a Redis URL (--redis-url or ${envName('redisUrl')})`);
  }
  if (c.workers > 1 && c.layer === 'memory') problems.push(`--workers ${c.workers} cannot share groups over the memory layer`);
  if (c.workers > 1 && !c.redisUrl) {
    problems.push(`--workers ${c.workers} needs a Redis URL (--redis-url or ${envName('redisUrl')}) so processes share groups`);
  }
  if (c.webhookUrl && !c.webhookSecret) problems.push(`${envName('webhookUrl')} needs ${envName('webhookSecret')} to sign the posts`);
  if (c.webhookPresence && !c.webhookUrl) problems.push(`${envName('webhookPresence')} needs ${envName('webhookUrl')}`);
  if (c.smtpUrl && !c.emailFrom) problems.push(`${envName('smtpUrl')} needs ${envName('emailFrom')}`);
  const vapid = [c.vapidPublicKey, c.vapidPrivateKey, c.vapidSubject].filter((v) => v !== undefined).length;
  if (vapid > 0 && vapid < 3) problems.push(`Web Push needs all of ${envName('vapidPublicKey')}, ${envName('vapidPrivateKey')} and ${envName('vapidSubject')}`);
}

/**
 * Build the configuration from `env` and `argv` (flags only, without the command).
 * @throws TidingsError CONFIG_INVALID listing every problem, each naming its setting.
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; argv?: readonly string[] } = {}): Config {
  const problems: string[] = [];
  const input = { ...fromEnv(options.env ?? {}), ...parseArgv(options.argv ?? [], problems) };
  const result = settingsSchema().safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '');
      problems.push(`${name} (--${flagName(name)} / ${envName(name)}): ${issue.message}`);
    }
  }
  if (result.success) checkCombinations(result.data as Parsed, problems);
  if (problems.length > 0 || !result.success) {
    throw new TidingsError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, { details: problems });
  }
  const c = result.data as Parsed;
  // The command line is for trying things: outside production, missing secrets are the development ones.
  return completeConfig(c, { devSecrets: c.env !== 'production' });
}

/** The configuration as printable JSON, secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const setting = (SETTINGS as Record<string, { secret?: boolean }>)[key];
    if (typeof value === 'string' && key.endsWith('Url')) out[key] = redactUrl(value);
    else out[key] = setting?.secret && value !== undefined ? '***' : value;
  }
  return out;
}
