// Prints the configuration table (markdown) from src/config/settings.ts: `npx tsx scripts/config-table.ts`.
// The README's table is this output; test/unit/docs/reference.test.ts checks they agree.
import { SETTINGS, envName, flagName } from '../src/config/index.js';

export function configTable(): string {
  const rows = Object.entries(SETTINGS).map(([name, s]) => {
    const setting = s as { default?: unknown; doc: string; secret?: boolean };
    const def = setting.default === undefined ? '(unset)' : Array.isArray(setting.default) ? '(empty)' : `\`${String(setting.default)}\``;
    return `| \`--${flagName(name)}\` | \`${envName(name)}\` | ${def} | ${setting.doc}${setting.secret ? ' (secret: masked in `config --print`, never logged)' : ''} |`;
  });
  return ['| flag | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(configTable());
