/**
 * Real Django for interop tests: Debian's python3-django, python3-django-channels, python3-channels-redis and
 * python3-daphne (installed by .ci/run), always run with /usr/bin/python3 (not whatever `python3` is first on
 * PATH). The Django project is the example's (examples/inform/mblog); its channel layer reads REDIS_URL,
 * CHANNELS_PREFIX and CHANNELS_BACKEND. Every child is stopped by its pid.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Child, ROOT, childEnv, runToEnd } from '../process.js';
import { startServe, type ServerProcess } from '../tidings.js';
import { within } from '../time.js';
import { rawClient } from './redis.js';
import { skipOrFail } from './skip.js';

export const PYTHON = '/usr/bin/python3';
export const DJANGO_PROJECT = join(ROOT, 'examples', 'inform', 'mblog');
const PEER = join(ROOT, 'test', 'integration', 'django', 'fixtures', 'layer_peer.py');
const PACKAGES = 'python3-django python3-django-channels python3-channels-redis python3-daphne';

/** `undefined` when Django, Channels, channels_redis and daphne import; a skip reason otherwise (an error under CI). */
export function djangoSkipReason(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import django, channels, channels_redis, daphne'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return skipOrFail(`Django/Channels not importable by ${PYTHON} (apt-get install -y ${PACKAGES}): ${probe.stderr ?? probe.error}`);
}

/** How the Django side's channel layer is configured. */
export interface DjangoLayerEnv {
  redisUrl: string;
  prefix: string;
  backend?: 'core' | 'pubsub';
  /** Extra channels_redis settings (core): CHANNELS_CAPACITY, CHANNELS_EXPIRY, CHANNELS_GROUP_EXPIRY. */
  extra?: Record<string, string>;
}

/** Environment for a Python child: the parent's, plus the layer settings. */
export function djangoEnv(layer: DjangoLayerEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONDONTWRITEBYTECODE: '1',
    DJANGO_SETTINGS_MODULE: 'mblog.settings',
    REDIS_URL: layer.redisUrl,
    CHANNELS_PREFIX: layer.prefix,
    CHANNELS_BACKEND: layer.backend ?? 'core',
    ...layer.extra,
  };
}

/** A long-running Python process holding a Django channel layer (fixtures/layer_peer.py). */
export class LayerPeer {
  private readonly replies: string[] = [];
  private waiter: (() => void) | undefined;

  private constructor(private readonly child: Child) {
    createInterface({ input: child.process.stdout! }).on('line', (line) => {
      this.replies.push(line);
      this.waiter?.();
    });
  }

  /** Its stderr (Python tracebacks). */
  get stderr(): Child['log'] {
    return this.child.log;
  }

  static async start(layer: DjangoLayerEnv): Promise<LayerPeer> {
    const peer = new LayerPeer(Child.spawn({ command: PYTHON, args: [PEER], env: djangoEnv(layer), stdin: true }));
    const hello = await peer.next(20_000);
    if (!hello.ready) throw new Error(`layer peer did not start: ${JSON.stringify(hello)}\n${peer.stderr.text}`);
    return peer;
  }

  /** Run one command; resolves with the peer's reply. */
  async call(cmd: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    this.child.process.stdin!.write(`${JSON.stringify(cmd)}\n`);
    const reply = await this.next(timeoutMs);
    if (typeof reply.error === 'string' && reply.error !== 'ChannelFull') throw new Error(`django layer: ${reply.error}`);
    return reply;
  }

  async newChannel(): Promise<string> {
    return (await this.call({ op: 'new_channel' })).channel as string;
  }

  /** The next message on `channel` (fails after `timeoutSeconds`). */
  async receive(channel: string, timeoutSeconds = 5): Promise<Record<string, unknown>> {
    const reply = await this.call({ op: 'receive', channel, timeout: timeoutSeconds }, timeoutSeconds * 1000 + 5000);
    if (reply.timeout) throw new Error(`django receive on ${channel}: nothing within ${timeoutSeconds} s`);
    return reply.message as Record<string, unknown>;
  }

  /** Whether `channel` stays empty for `timeoutSeconds` (what a dropped message looks like from Django). */
  async receivesNothing(channel: string, timeoutSeconds = 0.5): Promise<boolean> {
    return (await this.call({ op: 'receive', channel, timeout: timeoutSeconds }, timeoutSeconds * 1000 + 5000)).timeout === true;
  }

  async stop(): Promise<void> {
    this.child.process.stdin!.end();
    await this.child.stop('SIGTERM', 10_000).catch(() => undefined);
  }

  private async next(timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.replies.length === 0) {
      await within(
        new Promise<void>((resolve) => (this.waiter = resolve)),
        timeoutMs,
        `django layer peer reply (stderr:\n${this.stderr.text.slice(-2000)})`,
      ).finally(() => (this.waiter = undefined));
    }
    return JSON.parse(this.replies.shift()!) as Record<string, unknown>;
  }
}

/** daphne serving the example project, as the blog post runs it (`daphne -b 127.0.0.1 -p <port> mblog.asgi:application`). */
export class Daphne {
  private constructor(
    private readonly child: Child,
    readonly port: number,
  ) {}

  /** Start on port 0 (daphne logs the port it got) with `--proxy-headers`, and wait until it listens. */
  static async start(layer: DjangoLayerEnv): Promise<Daphne> {
    const args = ['-m', 'daphne', '-b', '127.0.0.1', '-p', '0', '--proxy-headers', 'mblog.asgi:application'];
    const child = Child.spawn({ command: PYTHON, args, cwd: DJANGO_PROJECT, env: djangoEnv(layer) });
    const match = await child.ready(child.log.waitForText(/Listening on TCP address 127\.0\.0\.1:(\d+)/, 30_000, 'daphne listening'), 'daphne');
    return new Daphne(child, Number(match[1]));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The process id (for CPU measurements). */
  get pid(): number {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    await this.child.stop('SIGTERM', 10_000).catch(() => undefined);
  }
}

/** Run the example project's `manage.py send_inform ...` (the blog's send_inform through async_to_sync). */
export async function manageSendInform(layer: DjangoLayerEnv, args: string[], timeoutMs = 30_000): Promise<string> {
  const run = await runToEnd({ command: PYTHON, args: ['manage.py', 'send_inform', ...args], cwd: DJANGO_PROJECT, env: djangoEnv(layer), timeoutMs });
  if (run.code !== 0) throw new Error(`manage.py send_inform exited with ${run.code}:\n${run.stdout}${run.stderr}`);
  return run.stdout + run.stderr;
}

/** `npm run example:inform` (examples/inform/server.ts) as a child process, with TIDINGS_* settings; on port 0. */
export function startInformExample(env: Record<string, string>): Promise<ServerProcess> {
  return startServe({ script: ['--import', 'tsx', join(ROOT, 'examples', 'inform', 'server.ts')], env: childEnv({ TIDINGS_HOST: '127.0.0.1', TIDINGS_PORT: '0', ...env }) });
}

/** daphne and the Tidings example side by side on one channels_redis prefix; `stop()` also deletes its keys. */
export async function startSideBySide(layer: DjangoLayerEnv, tidingsEnv: Record<string, string>): Promise<{ daphne: Daphne; tidings: ServerProcess; stop(): Promise<void> }> {
  const [daphne, tidings] = await Promise.all([Daphne.start(layer), startInformExample({ TIDINGS_REDIS_URL: layer.redisUrl, TIDINGS_LAYER_PREFIX: layer.prefix, ...tidingsEnv })]);
  return {
    daphne,
    tidings,
    async stop() {
      await Promise.all([daphne.stop(), tidings.stop('SIGTERM', 10_000).catch(() => undefined)]);
      const redis = rawClient(layer.redisUrl);
      const keys = await redis.keys(`${layer.prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
