import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser, openAs } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { type Stack, startStack } from '../support/stack';

/**
 * The Mini App server's Content-Security-Policy lets the built app do all it does (lazy chunks, styles, the
 * API and the live socket) without one violation, and lets no page but Telegram's web clients frame it.
 */
const ADMIN = { id: 9100, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 9101, first_name: 'Олег', language_code: 'ru' };
const CUSTOMER = { id: 9102, first_name: 'Анна', language_code: 'ru' };

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/** Records every CSP violation the page reports, from before its first script runs. */
function recordViolations(): void {
  const seen: string[] = [];
  window.__cspViolations = seen;
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
}

let stack: Stack;
let browser: Browser;
let ticketId: number;

beforeAll(async () => {
  stack = await startStack('e2e_csp', { adminIds: [ADMIN.id] });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  const created = await apiAs<{ id: number }>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', {
    subject: 'Не приходит чек',
    body: 'Оплатила, чека нет',
  });
  ticketId = created.id;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the customer and the agent screens run under the CSP without a violation', async () => {
  for (const [who, testId] of [
    [CUSTOMER, 'ticket-page'],
    [AGENT, 'ticket-page'],
  ] as const) {
    const { page, context } = await openAs(browser, stack.miniappUrl, who, {
      startParam: `ticket_${ticketId}`,
    });
    await page.addInitScript(recordViolations);
    await page.reload();
    await page.getByTestId(testId).waitFor();
    await page.getByText('Оплатила, чека нет').waitFor();
    const violations = await page.evaluate(() => window.__cspViolations ?? []);
    expect(violations).toEqual([]);
    await context.close();
  }
});

test('a page of another origin cannot frame the Mini App', async () => {
  const miniapp = stack.miniappUrl;
  const framer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><iframe id="app" src="${miniapp}/" width="390" height="600"></iframe>`);
  });
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  const { port } = framer.address() as AddressInfo;
  const context = await browser.newContext();
  const page = await context.newPage();
  const refused = new Promise<string>((resolve) => {
    page.on('console', (m) => {
      if (/frame-ancestors/.test(m.text())) resolve(m.text());
    });
  });
  try {
    // localhost and 127.0.0.1 are different origins: the framer is not the Mini App's own origin either.
    await page.goto(`http://localhost:${port}/`);
    expect(await refused).toMatch(/has been blocked/);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(await frame?.locator('#root').count()).toBe(0);
  } finally {
    await context.close();
    await new Promise((r) => framer.close(r));
  }
});
