/** Command line of `npm run bench`: `[--smoke] [--scenario name]… [--target ws|tidings]… [--out dir] [--parallel n]`. */

/** Parsed options. */
export interface BenchArgs {
  readonly smoke: boolean;
  /** Scenario names or name prefixes (`notify` selects every notify-* scenario); empty = all. */
  readonly scenarios: readonly string[];
  /** Target names; empty = all. */
  readonly targets: readonly string[];
  /** Output directory. Default `bench/results`. */
  readonly out: string | null;
  /** Scenarios run at once; null = default (3 for --smoke, 1 otherwise). */
  readonly parallel: number | null;
  readonly help: boolean;
}

/** Usage text. */
export const USAGE = `usage: npm run bench -- [--smoke] [--scenario <name>]... [--target ws|tidings]... [--out <dir>]
  --smoke       every scenario tiny (about 20 sockets, 1-2 s); exits non-zero if one failed to deliver
  --scenario    run only this scenario (or every scenario starting with it); repeatable
  --target      run only this target; repeatable (the ws reference is the baseline of every ratio)
  --out         directory for the JSON, markdown and SVG outputs (default bench/results)
  --parallel    scenarios run at once (default 3 with --smoke, else 1: figures need a quiet machine)`;

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`${flag} needs an integer from 1 to 16\n${USAGE}`);
  return n;
}

/** Parse `argv` (without node and the script); throws with a usage hint on unknown flags. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const scenarios: string[] = [];
  const targets: string[] = [];
  let smoke = false;
  let help = false;
  let out: string | null = null;
  let parallel: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--smoke') smoke = true;
    else if (flag === '--help' || flag === '-h') help = true;
    else if (flag === '--scenario') scenarios.push(...value().split(','));
    else if (flag === '--target') targets.push(...value().split(','));
    else if (flag === '--out') out = value();
    else if (flag === '--parallel') parallel = positiveInt(flag, value());
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return { smoke, scenarios, targets, out, parallel, help };
}

/** Whether `name` is selected by `filters` (exact name or prefix; no filters = everything). */
export function selected(name: string, filters: readonly string[]): boolean {
  return filters.length === 0 || filters.some((f) => name === f || name.startsWith(`${f}-`));
}
