import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadBotEnv } from '../env';
import { type Harness, SECRET, startHarness } from './helpers/harness';

const run = promisify(execFile);
const script = path.resolve(__dirname, '../../../../scripts/set-public-url');
const ADMIN_SECRET = 'admin-secret_0123456789abcdef';
const EVIL = 'https://evil.example';

/** Every menu-button or webhook registration the bot made that points at the attacker's site. */
const evilCalls = (h: Harness) =>
  [...h.api.callsOf('setChatMenuButton'), ...h.api.callsOf('setWebhook')].filter((c) =>
    JSON.stringify(c.params).includes('evil.example'),
  );

describe('scripts/set-public-url and the environment', () => {
  let h: Harness;
  let dir: string;
  let admin: http.Server;
  let adminUrl: string;
  beforeAll(async () => {
    h = await startHarness('webhook', { BOT_ADMIN_SECRET: ADMIN_SECRET }, 'puburl');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-puburl-'));
    // The loopback-only admin listener, as the bot's index.ts and the launcher open it.
    const handler = h.bot.adminHandler;
    if (!handler) throw new Error('no admin handler with BOT_ADMIN_SECRET set');
    admin = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
    adminUrl = `http://127.0.0.1:${(admin.address() as AddressInfo).port}/telegram/admin/public-url`;
  });
  afterAll(async () => {
    admin.close();
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, headers: Record<string, string>, body: unknown = { url: EVIL }) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('rewrites .env, re-registers menu button and webhook, and updates the running bot live', async () => {
    const envFile = path.join(dir, '.env');
    fs.writeFileSync(
      envFile,
      [
        `TELEGRAM_BOT_TOKEN=${h.api.token}`,
        `TELEGRAM_API_ROOT=${h.api.apiRoot}`,
        'BOT_MODE=webhook',
        `TELEGRAM_WEBHOOK_SECRET=${SECRET}`,
        `BOT_ADMIN_SECRET=${ADMIN_SECRET}`,
        'PUBLIC_URL=https://old.example',
        'TELEGRAM_WEBHOOK_URL=https://old.example/telegram/webhook',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(script, ['https://abc.ngrok-free.app', '--env-file', envFile], {
      env: { ...process.env, BOT_ADMIN_URL: adminUrl },
    });
    expect(stdout).toContain('running bot updated');
    const written = fs.readFileSync(envFile, 'utf8');
    expect(written).toContain('PUBLIC_URL=https://abc.ngrok-free.app\n');
    expect(written).toContain('TELEGRAM_WEBHOOK_URL=https://abc.ngrok-free.app/telegram/webhook');
    expect(h.api.callsOf('setChatMenuButton').at(-1)?.params).toMatchObject({
      menu_button: { type: 'web_app', web_app: { url: 'https://abc.ngrok-free.app' } },
    });
    expect(h.api.callsOf('setWebhook').map((c) => c.params.url)).toContain(
      'https://abc.ngrok-free.app/telegram/webhook',
    );
    // The running bot re-registered too (its own TELEGRAM_WEBHOOK_URL is explicit here, so it keeps it).
    expect(
      h.api.callsOf('setChatMenuButton').filter((c) => JSON.stringify(c.params).includes('abc.ngrok')),
    ).toHaveLength(2);
  });

  it('refuses a non-https URL and leaves .env alone', async () => {
    const envFile = path.join(dir, 'plain.env');
    fs.writeFileSync(envFile, 'PUBLIC_URL=https://keep.example\n');
    await expect(run(script, ['http://insecure.example', '--env-file', envFile])).rejects.toMatchObject({
      stderr: expect.stringContaining('https'),
    });
    expect(fs.readFileSync(envFile, 'utf8')).toBe('PUBLIC_URL=https://keep.example\n');
  });

  it('the public listener has no admin endpoint: 404 with no, a wrong or the webhook secret, and no Bot API call', async () => {
    for (const headers of <Array<Record<string, string>>>[
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${ADMIN_SECRET}` },
      { 'x-telegram-bot-api-secret-token': SECRET },
    ]) {
      const res = await post(`${h.baseUrl}/telegram/admin/public-url`, headers);
      expect([JSON.stringify(headers), res.status]).toEqual([JSON.stringify(headers), 404]);
    }
    expect(evilCalls(h)).toEqual([]);
  });

  it('the admin listener wants its own secret: 401 without it, with a wrong one or the webhook secret', async () => {
    for (const headers of <Array<Record<string, string>>>[
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${ADMIN_SECRET}x` },
      { authorization: `Bearer ${SECRET}` },
      { 'x-telegram-bot-api-secret-token': SECRET },
      { authorization: ADMIN_SECRET },
    ]) {
      const res = await post(adminUrl, headers);
      expect([JSON.stringify(headers), res.status]).toEqual([JSON.stringify(headers), 401]);
    }
    expect(evilCalls(h)).toEqual([]);
    const bad = await post(adminUrl, { authorization: `Bearer ${ADMIN_SECRET}` }, { url: 'ftp://x' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^url:/);
    expect((await fetch(adminUrl.replace('public-url', 'other'))).status).toBe(404);
  });

  it('writes .env with mode 0600 and gives it a BOT_ADMIN_SECRET when it had none', async () => {
    const envFile = path.join(dir, 'mode.env');
    fs.writeFileSync(envFile, 'PUBLIC_URL=https://old.example\n', { mode: 0o644 });
    fs.chmodSync(envFile, 0o644);
    const { stdout } = await run(script, ['https://new.example', '--env-file', envFile], {
      env: { ...process.env, BOT_ADMIN_URL: adminUrl },
    });
    expect(stdout).toContain('nothing to register');
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    const written = fs.readFileSync(envFile, 'utf8');
    expect(written).toContain('PUBLIC_URL=https://new.example\n');
    expect(written).toMatch(/^BOT_ADMIN_SECRET=[A-Za-z0-9_-]{32,}$/m);
    // A second run keeps the secret.
    const secret = /^BOT_ADMIN_SECRET=(.*)$/m.exec(written)?.[1];
    await run(script, ['https://newer.example', '--env-file', envFile]);
    expect(fs.readFileSync(envFile, 'utf8')).toContain(`BOT_ADMIN_SECRET=${secret}\n`);
  });

  it('has no admin handler without BOT_ADMIN_SECRET, and refuses a short one or a placeholder token, naming it', () => {
    const base = {
      DATABASE_URL: 'postgres://x@127.0.0.1/db',
      TELEGRAM_BOT_TOKEN: h.api.token,
    };
    expect(() => loadBotEnv({ ...base, BOT_ADMIN_SECRET: 'short' })).toThrow(/BOT_ADMIN_SECRET/);
    expect(() =>
      loadBotEnv({ ...base, TELEGRAM_BOT_TOKEN: '1000000000:local-compose-placeholder-token' }),
    ).toThrow(/TELEGRAM_BOT_TOKEN: is a placeholder/);
    expect(loadBotEnv(base).BOT_ADMIN_SECRET).toBeUndefined();
    expect(loadBotEnv(base).BOT_ADMIN_PORT).toBe(3003);
  });

  it('webhook mode refuses to start without TELEGRAM_WEBHOOK_SECRET, naming it', () => {
    const base = {
      DATABASE_URL: 'postgres://x@127.0.0.1/db',
      TELEGRAM_BOT_TOKEN: h.api.token,
      PUBLIC_URL: 'https://a.example',
    };
    expect(() => loadBotEnv({ ...base, BOT_MODE: 'webhook' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    const env = loadBotEnv(base);
    expect(env).toMatchObject({
      BOT_MODE: 'polling',
      BOT_PORT: 3002,
      BOT_RATE_GLOBAL_PER_S: 30,
      BOT_RATE_PRIVATE_PER_S: 1,
      BOT_RATE_GROUP_PER_MIN: 20,
    });
  });

  it('serves health, readiness and metrics', async () => {
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.baseUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${h.baseUrl}/metrics`)).text()).toContain('bot_updates_total');
  });
});
