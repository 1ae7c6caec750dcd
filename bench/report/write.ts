/**
 * Write a run's outputs: `<timestamp>.json`, `latest.md`, `latest.svg` (smoke runs: `smoke.*`; runs of some
 * scenarios or targets only: `partial.*`, so they never overwrite the full table).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from './markdown.js';
import { renderSvg } from './svg.js';
import type { RunRecord } from './types.js';

/** Paths written by {@link writeOutputs}. */
export interface WrittenFiles {
  readonly json: string;
  readonly markdown: string;
  readonly svg: string;
}

/** `2024-06-01T12:00:00.000Z` -> `2024-06-01T12-00-00Z` (safe in file names). */
export function fileStamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** Write the JSON record, the markdown table and the SVG chart under `dir`; returns the markdown too. */
export function writeOutputs(record: RunRecord, dir: string): { files: WrittenFiles; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const base = record.smoke ? 'smoke' : record.partial ? 'partial' : 'latest';
  const files = {
    json: join(dir, record.smoke ? 'smoke.json' : `${fileStamp(record.startedAt)}.json`),
    markdown: join(dir, `${base}.md`),
    svg: join(dir, `${base}.svg`),
  };
  const markdown = renderMarkdown(record);
  writeFileSync(files.json, `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(files.markdown, markdown);
  writeFileSync(files.svg, renderSvg(record));
  return { files, markdown };
}
