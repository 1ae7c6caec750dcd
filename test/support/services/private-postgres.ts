/**
 * A PRIVATE PostgreSQL server for fault tests (the machine's shared one is never stopped): a cluster made
 * by `initdb` in a temporary directory, listening on a free port on 127.0.0.1 (trust auth), started and
 * stopped with `pg_ctl` — so a test can restart a real PostgreSQL, with the errors a real restart gives
 * (57P01 admin shutdown for open sessions, refused connections, 57P03 while starting). As root, the
 * binaries run as the `postgres` system user (initdb refuses root).
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../ports.js';
import { skipOrFail } from './skip.js';

const run = promisify(execFile);

/** The directory of `initdb` and `pg_ctl` (the newest installed PostgreSQL), or null. */
function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** `undefined` when initdb is installed; otherwise a skip reason, or an error under CI=true. */
export function privatePostgresSkipReason(): string | undefined {
  if (binDir()) return undefined;
  return skipOrFail('PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql');
}

export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    private readonly asUser: { uid: number; gid: number } | null,
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb a new cluster (not started). */
  static async create(): Promise<PrivatePostgres> {
    const bin = binDir();
    if (!bin) throw new Error('initdb not found');
    const dir = mkdtempSync(join(tmpdir(), 'tidings-pg-'));
    let asUser: { uid: number; gid: number } | null = null;
    if (userInfo().uid === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      asUser = { uid: Number(stdout), gid: Number(gid) };
      chownSync(dir, asUser.uid, asUser.gid);
      chmodSync(dir, 0o700);
    }
    const pg = new PrivatePostgres(bin, dir, await freePort(), asUser);
    await pg.exec('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-N']);
    return pg;
  }

  /** Start and wait until it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`;
    await this.exec('pg_ctl', ['-D', join(this.dir, 'data'), '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start']);
  }

  /** Stop: `fast` (sessions terminated, a clean shutdown) or `immediate` (like a crash). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', '-t', '30', 'stop']);
  }

  /** Stop (if running) and delete the cluster. */
  async remove(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const file = join(this.bin, tool);
    const [cmd, argv] = this.asUser ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
    await run(cmd, argv as string[], { timeout: 60_000 });
  }
}
