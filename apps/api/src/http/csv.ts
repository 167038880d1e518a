import { once } from 'node:events';
import type { Response } from 'express';

/** First characters a spreadsheet may read as a formula (OWASP CSV injection): such a text cell gets a `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): null is empty, a number as written, text quoted when it holds a comma, a quote, a
 * line break or edge spaces (quotes doubled), and led by `'` when a spreadsheet would run it as a formula.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record with its CRLF. */
export function csvRow(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** The headers of a CSV download: an attachment, never sniffed into something else, never cached. */
export function startCsv(res: Response, fileName: string): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  // A byte order mark, so that spreadsheets read the UTF-8 (Cyrillic names) as UTF-8.
  res.write('\ufeff');
}

/** Writes a chunk, waiting while the client's socket is full; false when the client has gone. */
export async function writeCsv(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (!res.write(chunk)) {
    await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  return !res.destroyed;
}
