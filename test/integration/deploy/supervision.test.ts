/**
 * The process-supervision files, run for real where the tools exist:
 *   - deploy/supervisor/tidings.conf under a private supervisord (paths substituted into a temp dir): it
 *     starts Tidings, restarts it after a crash, and `supervisorctl stop` ends it cleanly (exit 0);
 *   - deploy/systemd/tidings.service: its keys are checked, its ExecStart runs with its EnvironmentFile and
 *     stops on its KillSignal within TimeoutStopSec, and `systemd-analyze verify` accepts it when available
 *     (there is no systemd running in a container, so the service itself is not started by systemd);
 *   - the Dockerfile and .dockerignore are checked statically (no Docker daemon in CI).
 * All of them read deploy/tidings.env.example, with its empty secrets filled in.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, Child, ROOT, childEnv, findBinary, secrets, tempDir } from '../../support/process.js';
import { OutputLog, type LogEntry } from '../../support/output-log.js';
import { unless } from '../../support/services/skip.js';
import { within } from '../../support/time.js';
import { substitute } from '../../support/proxy/nginx.js';

const run = promisify(execFile);
const SUPERVISOR_CONF = join(ROOT, 'deploy', 'supervisor', 'tidings.conf');
const SYSTEMD_UNIT = join(ROOT, 'deploy', 'systemd', 'tidings.service');
const ENV_EXAMPLE = join(ROOT, 'deploy', 'tidings.env.example');
/** Tidings' own default (TIDINGS_SHUTDOWN_TIMEOUT) plus the 5 s main.ts allows before giving up. */
const TIDINGS_STOP_SECONDS = 10 + 5;

/** deploy/tidings.env.example with secrets and the database filled in for a test. */
function writeEnvFile(dir: string): string {
  const keys = secrets();
  let env = readFileSync(ENV_EXAMPLE, 'utf8');
  env = substitute(env, /^TIDINGS_JWT_SECRET=$/m, `TIDINGS_JWT_SECRET=${keys.jwtSecret}`, ENV_EXAMPLE);
  env = substitute(env, /^TIDINGS_API_KEY=$/m, `TIDINGS_API_KEY=${keys.apiKey}`, ENV_EXAMPLE);
  env = substitute(env, /^TIDINGS_DATABASE_URL=sqlite:\/var\/lib\/tidings\/tidings\.db$/m, `TIDINGS_DATABASE_URL=sqlite:${dir}/inbox.db`, ENV_EXAMPLE);
  const path = join(dir, 'tidings.env');
  writeFileSync(path, env);
  return path;
}

/** Substitute the install paths of the command (node, the checkout) and its port with the test's. */
function localCommand(text: string, file: string): string {
  const out = substitute(text, /\/usr\/bin\/node \/opt\/tidings\/dist\/cli\.js/, `${process.execPath} ${CLI}`, file);
  return substitute(out, /--port 8006/, '--port 0', file);
}

/** Lines of an INI-style file that are settings (not blank, not comments). */
function settingLines(text: string, comment: RegExp): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !comment.test(l.trim()) && !/^\[.*\]$/.test(l.trim()));
}

function keyValues(lines: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of lines) {
    const i = line.indexOf('=');
    assert.ok(i > 0, `not a key=value line: ${line}`);
    const key = line.slice(0, i).trim();
    out.set(key, [...(out.get(key) ?? []), line.slice(i + 1).trim()]);
  }
  return out;
}

/** Wait until `file` holds `count` log entries matching `match`. */
async function fileLogEntries(file: string, match: (e: LogEntry) => boolean, count: number, timeoutMs: number): Promise<LogEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = new OutputLog();
    if (existsSync(file)) log.feed(`${readFileSync(file, 'utf8')}\n`);
    const found = log.entries.filter(match);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`${file}: ${found.length}/${count} matching lines within ${timeoutMs} ms:\n${log.text.slice(-2000)}`);
    // supervisord writes the child's output to a file; there is no event to await but the file's growth
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('deploy/supervisor/tidings.conf', () => {
  it('has every comment on its own line and absolute paths', () => {
    const text = readFileSync(SUPERVISOR_CONF, 'utf8');
    const lines = settingLines(text, /^[;#]/);
    for (const line of lines) assert.doesNotMatch(line, /\s[;#]/, `inline comment: ${line}`);
    const kv = keyValues(lines);
    assert.match(kv.get('command')?.[0] ?? '', /^\/bin\/sh -c '.*exec \/usr\/bin\/node \/opt\/tidings\/dist\/cli\.js serve .*--proxy-headers'$/);
    assert.equal(kv.get('autostart')?.[0], 'true');
    assert.equal(kv.get('autorestart')?.[0], 'true');
    assert.equal(kv.get('stopsignal')?.[0], 'TERM');
    assert.ok(Number(kv.get('stopwaitsecs')?.[0]) > TIDINGS_STOP_SECONDS, 'stopwaitsecs must outlast the drain');
    assert.match(kv.get('stdout_logfile')?.[0] ?? '', /^\//);
    assert.match(kv.get('stdout_logfile_maxbytes')?.[0] ?? '', /^\d+MB$/);
    assert.ok(Number(kv.get('stdout_logfile_backups')?.[0]) > 0);
    assert.match(kv.get('directory')?.[0] ?? '', /^\//);
  });
});

describe('supervisord runs deploy/supervisor/tidings.conf', { skip: unless('supervisord', 'supervisor') }, () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  let conf = '';
  let appLog = '';
  let supervisord: Child | undefined;
  const ctl = (...args: string[]) => run(findBinary('supervisorctl') ?? 'supervisorctl', ['-c', conf, ...args]).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));

  before(async () => {
    dir = tempDir('supervisor');
    conf = join(dir.path, 'supervisord.conf');
    appLog = join(dir.path, 'tidings.log');
    const envFile = writeEnvFile(dir.path);
    let program = localCommand(readFileSync(SUPERVISOR_CONF, 'utf8'), SUPERVISOR_CONF);
    program = substitute(program, / \. \/etc\/tidings\/tidings\.env && /, ` . ${envFile} && `, SUPERVISOR_CONF);
    program = substitute(program, /^directory=\/opt\/tidings$/m, `directory=${ROOT}`, SUPERVISOR_CONF);
    program = substitute(program, /^stdout_logfile=\/var\/log\/tidings\/tidings\.log$/m, `stdout_logfile=${appLog}`, SUPERVISOR_CONF);
    // The service user does not exist here; supervisord can only switch users when it runs as root.
    program = substitute(program, /^user=tidings$/m, process.getuid?.() === 0 ? `user=${userInfo().username}` : '', SUPERVISOR_CONF);
    writeFileSync(join(dir.path, 'tidings.conf'), program);
    writeFileSync(
      conf,
      `[unix_http_server]\nfile=${dir.path}/supervisor.sock\n\n[supervisord]\nnodaemon=true\nlogfile=${dir.path}/supervisord.log\n` +
        `pidfile=${dir.path}/supervisord.pid\nchildlogdir=${dir.path}\n\n[rpcinterface:supervisor]\n` +
        `supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\n` +
        `serverurl=unix://${dir.path}/supervisor.sock\n\n[include]\nfiles = ${dir.path}/tidings.conf\n`,
    );
    supervisord = Child.spawn({ command: findBinary('supervisord') ?? 'supervisord', args: ['-c', conf] });
  });
  after(async () => {
    await supervisord?.stop('SIGTERM', 20_000).catch(() => undefined);
    dir?.remove();
  });

  it('starts Tidings (autostart), restarts it after a crash (autorestart) and stops it cleanly', { timeout: 45_000 }, async () => {
    const [first] = await fileLogEntries(appLog, (e) => e.msg === 'listening', 1, 15_000);
    const health = await fetch(`http://127.0.0.1:${first?.port}/healthz`);
    assert.equal(health.status, 200);
    // RUNNING once up for startsecs: a crash after that is an autorestart, not a failed start.
    const deadline = Date.now() + 10_000;
    while (!/RUNNING/.test((await ctl('status', 'tidings')).stdout)) {
      assert.ok(Date.now() < deadline, 'supervisor never reported RUNNING');
      await new Promise((r) => setTimeout(r, 200));
    }

    process.kill(Number(first?.pid), 'SIGKILL');
    const [, second] = await fileLogEntries(appLog, (e) => e.msg === 'listening', 2, 15_000);
    assert.notEqual(second?.pid, first?.pid);
    assert.equal((await fetch(`http://127.0.0.1:${second?.port}/healthz`)).status, 200);

    const started = Date.now();
    assert.match((await ctl('stop', 'tidings')).stdout, /tidings: stopped/);
    assert.ok(Date.now() - started < TIDINGS_STOP_SECONDS * 1000);
    await fileLogEntries(appLog, (e) => e.msg === 'stopped' && e.pid === second?.pid, 1, 5000);
    assert.match(readFileSync(join(dir?.path ?? '', 'supervisord.log'), 'utf8'), /stopped: tidings \(exit status 0\)/);
    await assert.rejects(fetch(`http://127.0.0.1:${second?.port}/healthz`));
  });
});

/** A systemd unit as section -> key -> values. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1] as string, current);
      continue;
    }
    assert.ok(current, `setting outside a section: ${line}`);
    const [key, ...rest] = line.split('=');
    current.set(key as string, [...(current.get(key as string) ?? []), rest.join('=')]);
  }
  return sections;
}

/** Parse an EnvironmentFile the way systemd does for simple KEY=value lines. */
function readEnvironmentFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = (m[2] as string).replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

describe('deploy/systemd/tidings.service', () => {
  const unit = parseUnit(readFileSync(SYSTEMD_UNIT, 'utf8'));
  const service = unit.get('Service') ?? new Map<string, string[]>();
  const one = (key: string) => service.get(key)?.[0];

  it('has the keys a production unit needs', () => {
    assert.equal(one('EnvironmentFile'), '/etc/tidings/tidings.env');
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('KillSignal'), 'SIGTERM');
    assert.ok(Number(one('TimeoutStopSec')) > TIDINGS_STOP_SECONDS, 'TimeoutStopSec must outlast the drain');
    assert.match(one('ExecStart') ?? '', /^\/usr\/bin\/node \/opt\/tidings\/dist\/cli\.js serve .*--proxy-headers/);
    assert.match(one('User') ?? '', /^[a-z_][a-z0-9_-]*$/);
    assert.notEqual(one('User'), 'root');
    for (const key of ['NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp']) assert.ok(one(key), `${key} missing`);
    assert.equal(one('MemoryDenyWriteExecute'), undefined, 'V8 needs writable+executable memory');
    assert.equal(unit.get('Install')?.get('WantedBy')?.[0], 'multi-user.target');
  });

  it('its ExecStart, run with its EnvironmentFile, serves and stops on KillSignal within TimeoutStopSec', { timeout: 40_000 }, async () => {
    const dir = tempDir('systemd');
    let child: Child | undefined;
    try {
      const envFile = writeEnvFile(dir.path);
      const exec = localCommand(one('ExecStart') ?? '', SYSTEMD_UNIT).split(/\s+/);
      child = Child.spawn({ command: exec[0] as string, args: exec.slice(1), env: childEnv(readEnvironmentFile(envFile)) });
      const log = child.log;
      const listening = await child.ready(log.waitFor((e) => e.msg === 'listening', 15_000, 'listening'), 'ExecStart');
      assert.equal(log.entries.some((e) => /development secrets/.test(e.msg)), false, 'production mode uses the env file secrets');
      assert.equal((await fetch(`http://127.0.0.1:${listening.port}/readyz`)).status, 200);
      child.process.kill(one('KillSignal') as NodeJS.Signals);
      assert.equal((await within(child.exited, Number(one('TimeoutStopSec')) * 1000, 'exit')).code, 0);
    } finally {
      void child?.kill();
      dir.remove();
    }
  });

  it('systemd-analyze verify accepts it (paths substituted)', { skip: unless('systemd-analyze', 'systemd') }, async () => {
    const dir = tempDir('systemd-verify');
    try {
      const envFile = writeEnvFile(dir.path);
      let text = localCommand(readFileSync(SYSTEMD_UNIT, 'utf8'), SYSTEMD_UNIT);
      text = substitute(text, /^EnvironmentFile=\/etc\/tidings\/tidings\.env$/m, `EnvironmentFile=${envFile}`, SYSTEMD_UNIT);
      text = substitute(text, /^WorkingDirectory=\/opt\/tidings$/m, `WorkingDirectory=${ROOT}`, SYSTEMD_UNIT);
      const path = join(dir.path, 'tidings.service');
      writeFileSync(path, text);
      const result = await run(findBinary('systemd-analyze') as string, ['verify', path]).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (err: { code?: number; stderr?: string }) => ({ code: err.code ?? 1, stderr: err.stderr ?? '' }),
      );
      assert.equal(result.code, 0, result.stderr);
      const problems = result.stderr.split('\n').filter((l) => l.includes('tidings.service') && !/Special user|not safe|Unknown (user|group)/i.test(l));
      assert.deepEqual(problems, []);
    } finally {
      dir.remove();
    }
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

  it('builds on node:20-slim with npm ci and runs as a non-root user with a health check', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    assert.ok(froms.length >= 1 && froms.every((f) => f === 'node:20-slim'), `FROM ${froms.join(', ')}`);
    assert.match(dockerfile, /^RUN npm ci\b/m);
    assert.match(dockerfile, /npm run build/);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    assert.ok(users.length > 0 && users.at(-1) !== 'root' && users.at(-1) !== '0', 'the image must not run as root');
    assert.match(dockerfile, /^EXPOSE 8006$/m);
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*\/healthz/m);
    assert.match(dockerfile, /^CMD \["node", "dist\/cli\.js", "serve"\]$/m);
    assert.match(dockerfile, /TIDINGS_HOST=0\.0\.0\.0/);
  });

  it('every path the build copies exists and is not excluded by .dockerignore', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/));
    assert.ok(sources.length > 0);
    for (const source of sources) {
      assert.ok(existsSync(join(ROOT, source)), `${source} does not exist`);
      assert.ok(!ignored.includes(source), `${source} is excluded by .dockerignore`);
    }
    for (const heavy of ['node_modules', '.git', 'dist', 'data']) assert.ok(ignored.includes(heavy), `.dockerignore should exclude ${heavy}`);
  });
});
