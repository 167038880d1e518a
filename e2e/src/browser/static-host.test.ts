import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchBrowser, openAs, PHONE } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { appEntry, ROOT, type Stack, startStack } from '../support/stack';

/**
 * The Mini App built for a static host (README, "The Mini App from a static host"): `VITE_API_URL` and
 * `VITE_GATEWAY_URL` point at the API's and the gateway's own origins, the build is served by a host that knows
 * only files, `_headers` and `_redirects` (as Cloudflare Pages and Netlify read them), and the app works across
 * origins: reads and writes through the API's CORS, live events over the gateway's socket, no CSP violation,
 * and nothing asked of the static host but files.
 */
const ADMIN = { id: 9400, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 9401, first_name: 'Олег', language_code: 'ru' };
const CUSTOMER = { id: 9402, first_name: 'Анна', language_code: 'ru' };

const run = promisify(execFile);

/** `_headers` rules: a path pattern (`/*`, `/assets/*`, `/`) and its header lines. */
function readHeaderRules(dir: string): { pattern: string; headers: [string, string][] }[] {
  const rules: { pattern: string; headers: [string, string][] }[] = [];
  for (const line of readFileSync(path.join(dir, '_headers'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    if (!line.startsWith(' ')) {
      rules.push({ pattern: line.trim(), headers: [] });
      continue;
    }
    const at = line.indexOf(':');
    rules.at(-1)?.headers.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return rules;
}

const matches = (pattern: string, pathname: string) =>
  pattern.endsWith('*') ? pathname.startsWith(pattern.slice(0, -1)) : pathname === pattern;

/**
 * A static host as the big ones behave: a file if there is one, else `_redirects`' `/* /index.html 200`; the
 * headers of every matching `_headers` rule. It knows nothing of /api or /ws.
 */
function staticHost(dir: () => string | null, asked: string[]): http.Server {
  return http.createServer((req, res) => {
    const pathname = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    asked.push(pathname);
    const root = dir();
    if (!root) {
      res.writeHead(503).end();
      return;
    }
    const candidate = path.join(root, path.posix.normalize(pathname));
    const isFile =
      candidate.startsWith(root) && existsSync(candidate) && statSync(candidate).isFile() && pathname !== '/';
    const file = isFile ? candidate : path.join(root, 'index.html');
    const type = file.endsWith('.js')
      ? 'text/javascript'
      : file.endsWith('.css')
        ? 'text/css'
        : file.endsWith('.html')
          ? 'text/html; charset=utf-8'
          : 'application/octet-stream';
    const headers: Record<string, string> = { 'content-type': type };
    for (const rule of readHeaderRules(root)) {
      if (!matches(rule.pattern, pathname)) continue;
      for (const [name, value] of rule.headers) headers[name] = value;
    }
    res.writeHead(200, headers);
    res.end(readFileSync(file));
  });
}

let stack: Stack;
let browser: Browser;
let host: http.Server;
let hostUrl: string;
let built: string | null = null;
const asked: string[] = [];
let ticketId: number;

beforeAll(async () => {
  host = staticHost(() => built, asked);
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  stack = await startStack('e2e_static_host', { adminIds: [ADMIN.id], publicUrl: hostUrl });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  ticketId = (
    await apiAs<{ id: number }>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', {
      subject: 'Заказ из CDN',
      body: 'Где мой заказ?',
    })
  ).id;

  const outDir = mkdtempSync(path.join(os.tmpdir(), 'miniapp-static-'));
  const miniapp = path.join(ROOT, 'apps/miniapp');
  const env = {
    ...process.env,
    VITE_API_URL: stack.apiUrl,
    VITE_GATEWAY_URL: stack.gatewayUrl.replace(/^http/, 'ws'),
  };
  await run(
    process.execPath,
    [
      path.join(miniapp, 'node_modules/vite/bin/vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    {
      cwd: miniapp,
      env,
    },
  );
  await run(process.execPath, [appEntry('@tikethet/miniapp/write-static-headers'), outDir], { cwd: miniapp });
  built = outDir;
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await new Promise((resolve) => host?.close(resolve));
  if (built) rmSync(built, { recursive: true, force: true });
});

test('the build names the API and gateway origins in its CSP, and the static host its page and assets', () => {
  const rules = readHeaderRules(built ?? '');
  const csp = rules
    .find((r) => r.pattern === '/*')
    ?.headers.find(([n]) => n === 'Content-Security-Policy')?.[1];
  expect(csp).toContain(`connect-src 'self' ${stack.apiUrl} ${stack.gatewayUrl.replace(/^http/, 'ws')}`);
  expect(rules.find((r) => r.pattern === '/assets/*')?.headers).toEqual([
    ['Cache-Control', 'public, max-age=31536000, immutable'],
  ]);
});

test('a customer reads and writes through the API across origins and gets the agent’s reply live', async () => {
  // Listened to on the context before the page opens: the first reads start with the page, before openAs returns.
  const context = await browser.newContext({ ...PHONE });
  const violations: string[] = [];
  context.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const apiCalls: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('/api/v1/')) apiCalls.push(new URL(r.url()).origin);
  });
  const { page } = await openAs(browser, hostUrl, CUSTOMER, { startParam: `ticket_${ticketId}`, context });
  const view = page.getByTestId('ticket-page');
  await view.waitFor();
  await view.getByText('Где мой заказ?').waitFor();

  // Live: the agent's reply (written through the API) arrives over the gateway's socket, not by a reload.
  await apiAs(stack.apiUrl, AGENT, 'POST', `/tickets/${ticketId}/messages`, {
    body: 'Заказ уже в пути',
    clientMessageId: 'static-host-1',
  });
  await view.getByText('Заказ уже в пути', { exact: true }).waitFor();

  expect(violations).toEqual([]);
  expect(apiCalls.length).toBeGreaterThan(0);
  expect(new Set(apiCalls)).toEqual(new Set([stack.apiUrl]));
  expect(asked.filter((p) => p.startsWith('/api') || p.startsWith('/ws'))).toEqual([]);
  await context.close();
});
