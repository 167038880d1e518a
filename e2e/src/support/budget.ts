import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './stack';

/** Script URLs of the Mini App's origin the page requested, in order. */
export function recordScripts(page: Page, origin: string): string[] {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script' && request.url().startsWith(origin)) urls.push(request.url());
  });
  return urls;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Replaces the `## Mini App budget` section (between its markers) of docs/BENCHMARKS.md, or appends it. */
export function writeBenchmarksSection(markdown: string): void {
  const file = path.join(ROOT, 'docs/BENCHMARKS.md');
  const start = '<!-- miniapp-budget:start -->';
  const end = '<!-- miniapp-budget:end -->';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n';
  }
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${text.slice(0, from)}${block}${text.slice(to + end.length)}`
      : `${text.replace(/\s*$/, '')}\n\n${block}\n`;
  writeFileSync(file, next);
}

export function writeResults(results: unknown): void {
  writeFileSync(
    path.join(ROOT, 'bench/miniapp-budget/results.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
}
