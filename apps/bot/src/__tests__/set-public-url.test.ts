import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadBotEnv } from '../env';
import { type Harness, SECRET, startHarness } from './helpers/harness';

const run = promisify(execFile);
const script = path.resolve(__dirname, '../../../../scripts/set-public-url');

describe('scripts/set-public-url and the environment', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startHarness('webhook', {}, 'puburl');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-puburl-'));
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
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
        'PUBLIC_URL=https://old.example',
        'TELEGRAM_WEBHOOK_URL=https://old.example/telegram/webhook',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(script, ['https://abc.ngrok-free.app', '--env-file', envFile], {
      env: { ...process.env, BOT_ADMIN_URL: `${h.baseUrl}/telegram/admin/public-url` },
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

  it('the admin endpoint wants loopback and the secret', async () => {
    const res = await fetch(`${h.baseUrl}/telegram/admin/public-url`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://evil.example' }),
    });
    expect(res.status).toBe(401);
    const bad = await fetch(`${h.baseUrl}/telegram/admin/public-url`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({ url: 'ftp://x' }),
    });
    expect(bad.status).toBe(400);
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
