import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configTable } from '../../../scripts/config-table.js';
import { ERRORS } from '../../../src/errors.js';
import { CloseCode } from '../../../src/protocol/close-codes.js';

describe('docs stay true', () => {
  it('the README configuration table is the table generated from src/config/settings.ts', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.ok(readme.includes(configTable()), 'README.md is out of date: paste the output of `npx tsx scripts/config-table.ts`');
  });

  it('docs/protocol.md lists every error code and close code', () => {
    const protocol = readFileSync('docs/protocol.md', 'utf8');
    for (const code of Object.keys(ERRORS)) assert.ok(protocol.includes(`\`${code}\``), `docs/protocol.md lacks error code ${code}`);
    for (const code of Object.values(CloseCode)) assert.ok(protocol.includes(`| ${code} |`), `docs/protocol.md lacks close code ${code}`);
  });

  it('the README quick start is the two commands', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.match(readme, /npm install && npm start/);
    assert.match(readme, /\nnpm test\n/);
  });
});
