/**
 * Real nginx for tests, running deploy/nginx/tidings.conf itself: the file is copied into a temporary
 * prefix with only its listen address, its upstream port and (optionally) proxy_read_timeout substituted,
 * and included from a minimal nginx.conf (temp paths and logs inside the prefix, so nothing outside it is
 * touched). nginx runs in the foreground as a child process and is stopped by its pid.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputLog } from '../output-log.js';
import { Child, ROOT, findBinary, tempDir } from '../process.js';
import { freePort } from '../ports.js';

export const NGINX_CONF = join(ROOT, 'deploy', 'nginx', 'tidings.conf');

export interface NginxOptions {
  /** Port of the Tidings process behind it (replaces 127.0.0.1:8006 in the upstream). */
  upstreamPort: number;
  /** Replaces the WebSocket location's `proxy_read_timeout 75s` (e.g. `12s`). */
  readTimeout?: string;
  /** Listen on this port (chosen beforehand with `freePort`) instead of a fresh one. */
  port?: number;
  /** The site configuration to run instead of deploy/nginx/tidings.conf, given the listen port. */
  siteConf?: (port: number) => string;
}

export interface Nginx {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** nginx's stderr (error log). */
  readonly output: OutputLog;
  /** The shipped server block's access log (its own format: no query strings). */
  readonly accessLog: string;
  stop(): Promise<void>;
}

/** Replace `pattern` in `text`, which must match exactly once (so a reshaped conf fails loudly). */
export function substitute(text: string, pattern: RegExp, replacement: string, file: string): string {
  const matches = text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)) ?? [];
  if (matches.length !== 1) throw new Error(`${file}: expected exactly one match of ${pattern}, found ${matches.length}`);
  return text.replace(pattern, replacement);
}

/** deploy/nginx/tidings.conf with the test's addresses. */
export function testSiteConf(port: number, options: NginxOptions): string {
  let conf = readFileSync(NGINX_CONF, 'utf8');
  conf = substitute(conf, /^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`, NGINX_CONF);
  conf = substitute(conf, /^(\s*)server 127\.0\.0\.1:8006;$/m, `$1server 127.0.0.1:${options.upstreamPort};`, NGINX_CONF);
  // Relative to nginx's prefix (the test's directory): `Nginx.accessLog`.
  conf = substitute(conf, /access_log \/var\/log\/nginx\/tidings\.access\.log /, 'access_log tidings.access.log ', NGINX_CONF);
  if (options.readTimeout) conf = substitute(conf, /proxy_read_timeout 75s;/, `proxy_read_timeout ${options.readTimeout};`, NGINX_CONF);
  return conf;
}

function mainConf(prefix: string): string {
  // As root, nginx would run its workers as "nobody", which cannot use the root-owned temporary prefix.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${join(prefix, `${t}_temp`)};`).join('\n');
  return `${user}worker_processes 1;
events {
    worker_connections 512;
}
http {
    access_log ${join(prefix, 'access.log')};
${temp}
    include ${join(prefix, 'tidings.conf')};
}
`;
}

/** Start nginx in front of a Tidings port and wait until its worker runs. */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const bin = findBinary('nginx');
  if (!bin) throw new Error('nginx is not installed (apt-get install -y nginx-light)');
  const dir = tempDir('nginx');
  const port = options.port ?? (await freePort());
  writeFileSync(join(dir.path, 'tidings.conf'), options.siteConf ? options.siteConf(port) : testSiteConf(port, options));
  writeFileSync(join(dir.path, 'nginx.conf'), mainConf(dir.path));
  const args = ['-e', 'stderr', '-p', dir.path, '-c', join(dir.path, 'nginx.conf'), '-g', `daemon off; pid ${join(dir.path, 'nginx.pid')}; error_log stderr notice;`];
  const child = Child.spawn({ command: bin, args, env: process.env });
  const output = child.log;
  try {
    await child.ready(output.waitForText(/start worker process/, 10_000, 'nginx start'), 'nginx');
  } catch (err) {
    dir.remove();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output,
    accessLog: join(dir.path, 'tidings.access.log'),
    async stop() {
      await child.stop('SIGTERM', 10_000).catch(() => undefined);
      dir.remove();
    },
  };
}
