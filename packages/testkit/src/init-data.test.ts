import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_THEME_PARAMS, launchHash, signInitData, TEST_BOT_TOKEN, tamperInitData } from './init-data';

/** An independent validator written from Telegram's documentation, served as an HTTP endpoint. */
function validate(raw: string, botToken: string): { ok: boolean; userId?: number } {
  const params = new URLSearchParams(raw);
  const hash = params.get('hash') ?? '';
  const lines: string[] = [];
  params.forEach((value, key) => {
    if (key !== 'hash') lines.push(`${key}=${value}`);
  });
  lines.sort();
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const expected = createHmac('sha256', secret).update(lines.join('\n')).digest();
  const given = Buffer.from(hash, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false };
  const user = JSON.parse(params.get('user') ?? '{}') as { id: number };
  return { ok: true, userId: user.id };
}

describe('initData signer', () => {
  const server = http.createServer((req, res) => {
    const header = req.headers.authorization ?? '';
    const result = header.startsWith('tma ') ? validate(header.slice(4), TEST_BOT_TOKEN) : { ok: false };
    res.writeHead(result.ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = (initData: string) => fetch(`${base}/me`, { headers: { authorization: `tma ${initData}` } });
  const user = {
    id: 777000111,
    first_name: 'Анна',
    last_name: 'Петрова',
    username: 'anna',
    language_code: 'ru',
  };

  it('has a token in Telegram format', () => {
    expect(TEST_BOT_TOKEN).toMatch(/^\d{9}:[A-Za-z0-9_-]{35}$/);
  });

  it('produces initData a server following Telegram accepts', async () => {
    const raw = signInitData({
      botToken: TEST_BOT_TOKEN,
      user,
      startParam: 'ticket_42',
      authDate: 1700000000,
    });
    const res = await call(raw);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, userId: 777000111 });

    const params = new URLSearchParams(raw);
    expect([...params.keys()]).toEqual(['query_id', 'user', 'start_param', 'auth_date', 'hash']);
    expect(params.get('auth_date')).toBe('1700000000');
    expect(params.get('start_param')).toBe('ticket_42');
    expect(JSON.parse(params.get('user') ?? '')).toEqual(user);
    expect(params.get('hash')).toMatch(/^[0-9a-f]{64}$/);
    expect(raw).not.toContain('+'); // spaces and JSON are percent-encoded like Telegram does
  });

  it('signs extra fields and defaults auth_date to now', async () => {
    const raw = signInitData({
      botToken: TEST_BOT_TOKEN,
      user,
      extra: { chat_type: 'sender', chat_instance: '-42' },
    });
    expect((await call(raw)).status).toBe(200);
    const authDate = Number(new URLSearchParams(raw).get('auth_date'));
    expect(Math.abs(authDate - Date.now() / 1000)).toBeLessThan(5);
  });

  it('is rejected when signed with another token or tampered', async () => {
    const otherToken = signInitData({ botToken: '987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0', user });
    expect((await call(otherToken)).status).toBe(401);
    const good = signInitData({ botToken: TEST_BOT_TOKEN, user });
    const forged = tamperInitData(good);
    expect(new URLSearchParams(forged).get('hash')).toBe(new URLSearchParams(good).get('hash'));
    expect(JSON.parse(new URLSearchParams(forged).get('user') ?? '').id).toBe(777000112);
    expect((await call(forged)).status).toBe(401);
  });

  it('builds the launch hash Telegram opens a Mini App with', () => {
    const raw = signInitData({ botToken: TEST_BOT_TOKEN, user });
    const hash = launchHash(raw, undefined, 'ticket_7');
    expect(hash.startsWith('#tgWebAppData=')).toBe(true);
    const params = new URLSearchParams(hash.slice(1));
    expect(params.get('tgWebAppData')).toBe(raw);
    expect(params.get('tgWebAppVersion')).toBe('8.0');
    expect(params.get('tgWebAppPlatform')).toBe('tdesktop');
    expect(JSON.parse(params.get('tgWebAppThemeParams') ?? '')).toEqual(DEFAULT_THEME_PARAMS);
    expect(params.get('tgWebAppStartParam')).toBe('ticket_7');
  });
});
