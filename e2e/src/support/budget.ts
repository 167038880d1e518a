import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { ROOT } from './stack';

const DIST = path.join(ROOT, 'apps/miniapp/dist');

/** Records, from the first document on, when the first ticket row is on screen (ms since navigation start). */
export function listVisibleProbe(): void {
  const w = window as unknown as { __listVisibleAt?: number };
  const check = () => {
    if (w.__listVisibleAt !== undefined) return;
    const row = document.querySelector('[data-testid^="ticket-row-"]');
    if (row && (row as HTMLElement).checkVisibility()) w.__listVisibleAt = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
}

export function listVisibleAt(page: Page): Promise<number | undefined> {
  return page.evaluate(() => (window as unknown as { __listVisibleAt?: number }).__listVisibleAt);
}

/** Script URLs of the Mini App's origin the page requested, in order. */
export function recordScripts(page: Page, origin: string): string[] {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script' && request.url().startsWith(origin)) urls.push(request.url());
  });
  return urls;
}

export interface JsFile {
  file: string;
  bytes: number;
  gzip: number;
}

/** Each requested script as the built file it is, with its size and gzip (level 9) size. */
export function builtScripts(urls: string[]): JsFile[] {
  const seen = new Set<string>();
  const files: JsFile[] = [];
  for (const url of urls) {
    const file = new URL(url).pathname.replace(/^\//, '');
    if (seen.has(file)) continue;
    seen.add(file);
    const content = readFileSync(path.join(DIST, file));
    files.push({ file, bytes: content.length, gzip: gzipSync(content, { level: 9 }).length });
  }
  return files;
}

export interface BudgetResult {
  scenario: string;
  metric: string;
  value: number;
  reference: number;
  ratio: number;
  target: string;
  pass: boolean;
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
