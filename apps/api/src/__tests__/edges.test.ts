import { randomBytes } from 'node:crypto';
import { createMemoryBus } from '@tikethet/bus';
import { developmentBotToken } from '@tikethet/config';
import { createDb, runMigrations } from '@tikethet/db';
import {
  createTestDatabase,
  startRedisServer,
  TEST_BOT_TOKEN,
  testRedisUrl,
  waitFor,
} from '@tikethet/testkit';
import Redis from 'ioredis';
import request from 'supertest';
import { createApi } from '../create-api';
import { DEV_USERS } from '../dev/dev-login';
import { loadApiEnv } from '../env';
import { person } from './helpers/people';
import { ADMIN_ID } from './helpers/test-api';

/** Rate limits, CORS and the development sign-in: each needs its own configuration of the app. */
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: ReturnType<typeof createDb>;
const bus = createMemoryBus();
const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });

function app(env: Record<string, string>, extra: { redis?: Redis; prefix?: string } = {}) {
  return createApi({
    env: loadApiEnv({
      DATABASE_URL: database.url,
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      ADMIN_TELEGRAM_IDS: String(ADMIN_ID),
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      RATE_LIMIT_PER_MIN: '0',
      ...env,
    }),
    db,
    bus,
    redis: extra.redis,
    rateLimitPrefix: extra.prefix ?? `tt:test:rl:${randomBytes(6).toString('hex')}`,
  });
}

/** Fixed one-minute windows: start a burst early in a window so it cannot straddle two. */
async function freshWindow(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 50));
}

beforeAll(async () => {
  database = await createTestDatabase('api_edges');
  await runMigrations(database.url);
  db = createDb(database.url, { max: 4 });
});
afterAll(async () => {
  redis.disconnect();
  await db.close();
  await database.drop();
});

describe('rate limits', () => {
  it('per user, shared through Redis by two API instances: the 6th request of a minute gets 429 + Retry-After', async () => {
    await freshWindow();
    const prefix = `tt:test:rl:${randomBytes(6).toString('hex')}`;
    const a = app({ RATE_LIMIT_PER_MIN: '5' }, { redis, prefix });
    const b = app({ RATE_LIMIT_PER_MIN: '5' }, { redis, prefix });
    const user = await person(a.useCases, 960_001, 'customer');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const target = i % 2 === 0 ? a.app : b.app;
      // A different forwarded IP each time: only the per-user limit can trip.
      const res = await request(target)
        .get('/api/v1/me')
        .set('Authorization', user.auth)
        .set('X-Forwarded-For', `10.0.0.${i + 1}`);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(res.body.error.code).toBe('rate_limited');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await redis.keys(`${prefix}:{user:960001}:*`)).length).toBe(1);
  });

  it('per client IP (after TRUST_PROXY_HOPS), counting unauthenticated requests too', async () => {
    await freshWindow();
    const a = app({ RATE_LIMIT_PER_MIN: '3', TRUST_PROXY_HOPS: '1' }, { redis });
    const from = (ip: string) =>
      request(a.app).get('/api/v1/me').set('X-Forwarded-For', `203.0.113.9, ${ip}`);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await from('198.51.100.7')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await from('198.51.100.8')).status).toBe(401);
  });

  it('RATE_LIMIT_PER_MIN=0 turns limiting off', async () => {
    const a = app({ RATE_LIMIT_PER_MIN: '0' }, { redis });
    for (let i = 0; i < 20; i++) expect((await request(a.app).get('/api/v1/me')).status).toBe(401);
  });

  it('with Redis gone the limits still hold in the process and nothing fails', async () => {
    await freshWindow();
    const server = await startRedisServer();
    const own = new Redis(server.url, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 200,
    });
    own.on('error', () => undefined);
    await new Promise((r) => own.once('ready', r));
    const a = app({ RATE_LIMIT_PER_MIN: '3' }, { redis: own });
    await server.kill();
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await request(a.app).get('/api/v1/me').set('X-Forwarded-For', '192.0.2.1')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    own.disconnect();
    await server.stop();
  });
});

describe('CORS', () => {
  it('allows only the origin of PUBLIC_URL', async () => {
    const a = app({ PUBLIC_URL: 'https://mini.example.com/app' });
    const ok = await request(a.app)
      .options('/api/v1/tickets')
      .set('Origin', 'https://mini.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://mini.example.com');
    expect(ok.headers['access-control-allow-headers']).toMatch(/Authorization/);
    const evil = await request(a.app).get('/api/v1/me').set('Origin', 'https://evil.example.com');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no cross origin at all without PUBLIC_URL', async () => {
    const a = app({});
    const res = await request(a.app).get('/healthz').set('Origin', 'https://mini.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('development sign-in', () => {
  const devToken = developmentBotToken();
  const devApp = (env: Record<string, string> = {}) =>
    app({ DEV_LOGIN: '1', NODE_ENV: 'development', TELEGRAM_BOT_TOKEN: devToken, ...env });
  const roleOf = async (id: number) =>
    (await db.db.$client.query('select role from users where id = $1', [id])).rows[0]?.role;

  it('signs in as each role with the right role in the database', async () => {
    const a = devApp();
    const options = await request(a.app).get('/api/v1/dev/login-options');
    expect(options.body).toEqual({ enabled: true, roles: ['customer', 'agent', 'admin'] });
    for (const as of ['agent', 'admin', 'customer', 'agent'] as const) {
      const login = await request(a.app).post('/api/v1/dev/login').send({ as, language: 'en' });
      expect(login.status).toBe(200);
      const me = await request(a.app).get('/api/v1/me').set('Authorization', `tma ${login.body.initData}`);
      expect(me.body).toMatchObject({ id: DEV_USERS[as].id, role: as, language: 'en' });
    }
    const bad = await request(a.app).post('/api/v1/dev/login').send({ as: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('as');
  });

  it.each([
    ['X-Forwarded-For', '203.0.113.9'],
    ['X-Forwarded-For', '203.0.113.9, 127.0.0.1'],
    ['X-Real-IP', '192.168.1.20'],
    ['CF-Connecting-IP', '2001:db8::1'],
    ['Forwarded', 'for=203.0.113.9;proto=https'],
  ])(
    'answers loopback clients only: a request forwarded for a remote client (%s: %s) gets 404',
    async (header, value) => {
      const a = devApp();
      expect((await request(a.app).get('/api/v1/dev/login-options').set(header, value)).status).toBe(404);
      const login = await request(a.app).post('/api/v1/dev/login').set(header, value).send({ as: 'admin' });
      expect(login.status).toBe(404);
      expect(login.body.initData).toBeUndefined();
      // The same request from this machine (the Mini App's own proxy names 127.0.0.1) is served.
      const local = await request(a.app)
        .post('/api/v1/dev/login')
        .set('X-Forwarded-For', '127.0.0.1')
        .send({ as: 'customer' });
      expect(local.status).toBe(200);
    },
  );

  it.each([[{ NODE_ENV: 'development' }], [{ NODE_ENV: 'test' }]])('does not exist with %j', async (env) => {
    const a = app(env);
    expect((await request(a.app).get('/api/v1/dev/login-options')).status).toBe(404);
    expect((await request(a.app).post('/api/v1/dev/login').send({ as: 'admin' })).status).toBe(404);
  });

  it('demotes the fixed development admin and agent when the API starts without development sign-in', async () => {
    const a = devApp();
    for (const as of ['admin', 'agent'] as const) {
      expect((await request(a.app).post('/api/v1/dev/login').send({ as })).status).toBe(200);
    }
    expect([await roleOf(DEV_USERS.admin.id), await roleOf(DEV_USERS.agent.id)]).toEqual(['admin', 'agent']);
    // Restarted with development sign-in on: nothing changes.
    devApp();
    await new Promise((r) => setTimeout(r, 300));
    expect([await roleOf(DEV_USERS.admin.id), await roleOf(DEV_USERS.agent.id)]).toEqual(['admin', 'agent']);
    // Restarted with a real token: both are customers again, and a live session of theirs loses staff access.
    app({ NODE_ENV: 'development' });
    await waitFor(
      async () =>
        (await roleOf(DEV_USERS.admin.id)) === 'customer' &&
        (await roleOf(DEV_USERS.agent.id)) === 'customer',
      {
        description: 'the development staff demoted',
      },
    );
  });

  it('keeps the development admin an admin when ADMIN_TELEGRAM_IDS names that id', async () => {
    const a = devApp({ ADMIN_TELEGRAM_IDS: `${ADMIN_ID},${DEV_USERS.admin.id}` });
    expect((await request(a.app).post('/api/v1/dev/login').send({ as: 'agent' })).status).toBe(200);
    app({ ADMIN_TELEGRAM_IDS: `${ADMIN_ID},${DEV_USERS.admin.id}` });
    await waitFor(async () => (await roleOf(DEV_USERS.agent.id)) === 'customer', {
      description: 'agent demoted',
    });
    expect(await roleOf(DEV_USERS.admin.id)).toBe('admin');
  });
});
