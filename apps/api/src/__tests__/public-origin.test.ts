import { type FakeBotApi, startFakeBotApi } from '@tikethet/testkit';
import request from 'supertest';
import { telegramFile, unique } from './helpers/fixtures';
import { person } from './helpers/people';
import { freshWindow } from './helpers/rate-window';
import { startTestApi, type TestApi } from './helpers/test-api';

/**
 * What the API gives whoever reaches it through the public origin (the Mini App's proxy, a tunnel, a platform
 * load balancer): rate-limit keys that neither lump users together nor obey a forged X-Forwarded-For, no
 * metrics, and attachments that cannot run as a page at the app's origin.
 */
let bot: FakeBotApi;
/** Behind one proxy (TRUST_PROXY_HOPS=1), and reached directly (0); 3 requests a minute per key. */
let proxied: TestApi;
let direct: TestApi;

beforeAll(async () => {
  bot = await startFakeBotApi();
  const env = { RATE_LIMIT_PER_MIN: '3', TELEGRAM_API_ROOT: bot.apiRoot };
  proxied = await startTestApi('api_public_proxied', { env: { ...env, TRUST_PROXY_HOPS: '1' } });
  direct = await startTestApi('api_public_direct', { env: { ...env, TRUST_PROXY_HOPS: '0' } });
});
afterAll(async () => {
  await proxied.close();
  await direct.close();
  await bot.close();
});

describe('rate-limit keys', () => {
  /** Every request as the Mini App's proxy delivers it: the peer it saw appended to X-Forwarded-For. */
  const viaProxy = (peer: string) => ({ 'X-Forwarded-For': `198.51.100.250, ${peer}` });

  it('two signed-in users behind the same proxy address do not share a budget', async () => {
    await freshWindow();
    const a = proxied;
    const [ann, bob] = [await person(a.uc, 961_001, 'customer'), await person(a.uc, 961_002, 'customer')];
    const as = (who: typeof ann) =>
      request(a.app).get('/api/v1/me').set(viaProxy('203.0.113.5')).set('Authorization', who.auth);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await as(ann)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Bob shares Ann's address (one NAT, one tunnel, one load balancer) and still has his own three.
    for (let i = 0; i < 3; i++) expect((await as(bob)).status).toBe(200);
  });

  it('junk from an address does not lock out a signed-in user at the same address', async () => {
    await freshWindow();
    const a = proxied;
    const carol = await person(a.uc, 961_003, 'customer');
    const junk = () =>
      request(a.app).get('/api/v1/me').set(viaProxy('203.0.113.6')).set('Authorization', 'tma junk');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await junk()).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const signed = await request(a.app)
      .get('/api/v1/me')
      .set(viaProxy('203.0.113.6'))
      .set('Authorization', carol.auth);
    expect(signed.status).toBe(200);
  });

  it('unauthenticated requests are limited per real client address, past a forged X-Forwarded-For', async () => {
    await freshWindow();
    const a = proxied;
    // The client forges a new address each time; the proxy appends the one it saw.
    const from = (real: string, i: number) =>
      request(a.app).get('/api/v1/me').set('X-Forwarded-For', `10.9.${i}.1, ${real}`);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from('203.0.113.7', i)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await from('203.0.113.8', 0)).status).toBe(401);
  });

  it('with TRUST_PROXY_HOPS=0 (reached directly) a forged X-Forwarded-For does not change the key', async () => {
    await freshWindow();
    const a = direct;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (
          await request(a.app)
            .get('/api/v1/me')
            .set('X-Forwarded-For', `192.0.2.${i + 1}`)
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('metrics', () => {
  it('are served at the app’s own root, never under /api/v1 (the prefix the public proxy forwards)', async () => {
    const root = await request(proxied.app).get('/metrics');
    expect(root.status).toBe(200);
    expect(root.text).toContain('http_request_duration_seconds');
    const under = await request(proxied.app).get('/api/v1/metrics');
    expect(under.status).toBe(404);
    expect(under.text).not.toContain('http_request_duration_seconds');
  });
});

describe('attachments at the app’s origin', () => {
  /** Each file has an owner of its own: one download each, well inside the per-user limit. */
  let owners = 961_100;
  async function fileOf(fileName: string, mimeType: string) {
    const a = proxied;
    const owner = await person(a.uc, ++owners, 'customer');
    const { message } = await a.uc.createTicket(
      owner,
      { subject: `File ${unique('f')}`, body: 'attached' },
      {
        source: 'bot',
        attachments: [
          { kind: 'document', telegramFileId: telegramFile(bot, 'doc', 'document'), fileName, mimeType },
        ],
      },
    );
    const id = message.attachments[0]?.id;
    return request(a.app).get(`/api/v1/attachments/${id}`).set('Authorization', owner.auth);
  }

  it.each([
    ['page.html', 'text/html'],
    ['logo.svg', 'image/svg+xml'],
    ['x.xhtml', 'application/xhtml+xml'],
    ['a.js', 'text/javascript'],
    ['readme.txt', 'text/plain'],
  ])('%s stored as %s is served as an octet-stream download with nosniff', async (name, mime) => {
    const res = await fileOf(name, mime);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('a raster image is served inline with its type, nosniff and a sandboxing CSP', async () => {
    const res = await fileOf('p.png', 'image/png');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain('sandbox');
  });
});
