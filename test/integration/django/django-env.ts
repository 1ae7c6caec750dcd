/**
 * Real Django for interop tests: Debian's python3-django, python3-django-channels, python3-channels-redis and
 * python3-daphne (installed by .ci/run), always run with /usr/bin/python3 (not whatever `python3` is first on
 * PATH). The Django project is the example's (examples/inform/mblog); its channel layer reads REDIS_URL,
 * CHANNELS_PREFIX and CHANNELS_BACKEND. Every child is stopped by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { childEnv, OutputLog, ROOT, within } from '../deploy/child.js';

export const PYTHON = '/usr/bin/python3';
export const DJANGO_PROJECT = join(ROOT, 'examples', 'inform', 'mblog');
const PEER = join(ROOT, 'test', 'integration', 'django', 'fixtures', 'layer_peer.py');
const PACKAGES = 'python3-django python3-django-channels python3-channels-redis python3-daphne';

/** `undefined` when Django, Channels, channels_redis and daphne import; a skip reason otherwise (an error under CI). */
export function djangoSkipReason(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import django, channels, channels_redis, daphne'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const reason = `Django/Channels not importable by ${PYTHON} (apt-get install -y ${PACKAGES}): ${probe.stderr ?? probe.error}`;
  if (process.env.CI === 'true') throw new Error(reason);
  return reason;
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

async function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await within(exited, timeoutMs, 'python child exit').catch(() => child.kill('SIGKILL'));
}

/** A long-running Python process holding a Django channel layer (fixtures/layer_peer.py). */
export class LayerPeer {
  private readonly replies: string[] = [];
  private waiter: (() => void) | undefined;
  readonly stderr = new OutputLog();

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.replies.push(line);
      this.waiter?.();
    });
    child.stderr!.on('data', (c: Buffer) => this.stderr.feed(c));
  }

  static async start(layer: DjangoLayerEnv): Promise<LayerPeer> {
    const child = spawn(PYTHON, [PEER], { env: djangoEnv(layer), stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new LayerPeer(child);
    const hello = await peer.next(20_000);
    if (!hello.ready) throw new Error(`layer peer did not start: ${JSON.stringify(hello)}\n${peer.stderr.text}`);
    return peer;
  }

  /** Run one command; resolves with the peer's reply. */
  async call(cmd: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
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

  stop(): Promise<void> {
    this.child.stdin!.end();
    return stopChild(this.child);
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
  readonly log = new OutputLog();
  port = 0;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (c: Buffer) => this.log.feed(c));
    child.stderr!.on('data', (c: Buffer) => this.log.feed(c));
  }

  /** Start on port 0 (daphne logs the port it got) with `--proxy-headers`, and wait until it listens. */
  static async start(layer: DjangoLayerEnv): Promise<Daphne> {
    const child = spawn(PYTHON, ['-m', 'daphne', '-b', '127.0.0.1', '-p', '0', '--proxy-headers', 'mblog.asgi:application'], {
      cwd: DJANGO_PROJECT,
      env: djangoEnv(layer),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const daphne = new Daphne(child);
    const listening = new Promise<number>((resolve) => {
      const check = (): void => {
        const match = /Listening on TCP address 127\.0\.0\.1:(\d+)/.exec(daphne.log.text);
        if (match) resolve(Number(match[1]));
      };
      child.stderr!.on('data', check);
      child.stdout!.on('data', check);
    });
    try {
      daphne.port = await within(listening, 30_000, `daphne listening (output:\n${daphne.log.text})`);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return daphne;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The process id (for CPU measurements). */
  get pid(): number {
    return this.child.pid!;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/** Run the example project's `manage.py send_inform ...` (the blog's send_inform through async_to_sync). */
export async function manageSendInform(layer: DjangoLayerEnv, args: string[], timeoutMs = 30_000): Promise<string> {
  const child = spawn(PYTHON, ['manage.py', 'send_inform', ...args], { cwd: DJANGO_PROJECT, env: djangoEnv(layer), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new OutputLog();
  child.stdout!.on('data', (c: Buffer) => out.feed(c));
  child.stderr!.on('data', (c: Buffer) => out.feed(c));
  const [code] = (await within(once(child, 'exit'), timeoutMs, 'manage.py send_inform')) as [number | null];
  if (code !== 0) throw new Error(`manage.py send_inform exited with ${code}:\n${out.text}`);
  return out.text;
}

/** `npm run example:inform` (examples/inform/server.ts) as a child process, with TIDINGS_* settings. */
export class InformExample {
  readonly log = new OutputLog();
  port = 0;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (c: Buffer) => this.log.feed(c));
    child.stderr!.on('data', (c: Buffer) => this.log.feed(c));
  }

  /** Start it on port 0 and wait for its `listening` line. */
  static async start(env: Record<string, string>): Promise<InformExample> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', 'inform', 'server.ts')], {
      cwd: ROOT,
      env: childEnv({ TIDINGS_HOST: '127.0.0.1', TIDINGS_PORT: '0', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const example = new InformExample(child);
    try {
      const entry = await example.log.waitFor((e) => e.msg === 'listening', 30_000, 'example:inform listening');
      example.port = Number(entry.port);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return example;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
