import type { Page } from 'playwright-core';

/** Everything a page received from the server: WebSocket frames and /api response bodies. */
export interface Traffic {
  frames: string[];
  responses: string[];
  /** Uncaught exceptions in the page. */
  errors: string[];
  /** Whether `text` appears anywhere in what the page received. */
  contains(text: string): boolean;
}

export function recordTraffic(page: Page): Traffic {
  const frames: string[] = [];
  const responses: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => {
      frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8'));
    });
  });
  page.on('response', (response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/')) return;
    response
      .text()
      .then((body) => responses.push(body))
      .catch(() => undefined);
  });
  return {
    frames,
    responses,
    errors,
    contains: (text) => frames.some((f) => f.includes(text)) || responses.some((r) => r.includes(text)),
  };
}

/** Marks the page so a later `stillSameDocument` proves it was never reloaded. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __e2eMark?: boolean }).__e2eMark = true;
  });
}

export function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __e2eMark?: boolean }).__e2eMark === true);
}
