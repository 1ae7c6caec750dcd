/**
 * The README's TypeScript blocks, run as written (doctest-style), so they cannot rot. Each block becomes a
 * file in a temporary directory (under `.tidings-tmp/`): named by its first line when that is a `// name.ts` comment (so later
 * blocks can import it), else `readme-<n>.ts`. `from 'tidings'` and `from 'tidings/<sub>'` point at this
 * checkout's source, and `port: 8006` becomes port 0. Each block then runs in order in its own process and
 * must finish without an error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Block {
  name: string;
  code: string;
  line: number;
}

function blocks(): Block[] {
  const out: Block[] = [];
  for (const m of README.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    const body = m[1] ?? '';
    const named = /^\/\/ ([\w.-]+\.ts)\n/.exec(body);
    const line = README.slice(0, m.index).split('\n').length;
    out.push({ name: named?.[1] ?? `readme-${out.length + 1}.ts`, code: body, line });
  }
  return out;
}

function localise(code: string): string {
  return code
    .replace(/from 'tidings(?:\/(\w+))?'/g, (_, sub: string | undefined) => `from '${pathToFileURL(join(ROOT, 'src', sub ?? '', 'index.ts')).href}'`)
    .replace(/port: 8006/g, 'port: 0');
}

describe('README.md TypeScript blocks', () => {
  const all = blocks();
  // Inside the checkout (ignored by git), so `--import tsx` resolves from the project's node_modules.
  mkdirSync(join(ROOT, '.tidings-tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tidings-tmp', 'readme-'));
  for (const b of all) writeFileSync(join(dir, b.name), localise(b.code));

  it('there are blocks to run', () => {
    assert.ok(all.length >= 4, `found ${all.length}`);
  });

  for (const b of all) {
    it(`${b.name} (README line ${b.line}) runs to the end`, () => {
      const file = pathToFileURL(join(dir, b.name)).href;
      const run = `import(${JSON.stringify(file)}).then(() => process.exit(0), (err) => { console.error(err); process.exit(1); })`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', run], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir },
      });
      assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
    });
  }

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
