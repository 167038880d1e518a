import { createDb, type DbClient } from '@tikethet/db';
import request from 'supertest';
import { ticketOf } from './helpers/fixtures';
import { type Person, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/**
 * DATABASE_STATEMENT_TIMEOUT_MS: a statement that runs past it answers 503 `timeout` (never a 500), and the
 * connections it ran on go back to the pool healthy. A statement is made slow the way production makes one
 * slow: it waits for a lock another connection holds (the timeout counts the wait).
 */
const TIMEOUT_MS = 1000;
let t: TestApi;
let agent: Person;
let customer: Person;
/** Another process's connection (no timeout) that holds locks. */
let lockerDb: DbClient;
let locker: { query(sql: string): Promise<unknown>; release(): void };

beforeAll(async () => {
  t = await startTestApi('api_timeout', { env: { DATABASE_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS) } });
  ({ agent, customer } = await team(t.uc));
  await ticketOf(t.uc, customer);
  lockerDb = createDb(t.database.url, { max: 1 });
  locker = await lockerDb.db.$client.connect();
});
afterAll(async () => {
  locker.release();
  await lockerDb.close();
  await t.close();
});

/** Holds an exclusive lock on `table` until the returned release runs (at the latest after `holdMs`). */
async function lockTable(table: string, holdMs = 6000): Promise<() => Promise<void>> {
  await locker.query('begin');
  await locker.query(`lock table ${table} in access exclusive mode`);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    await locker.query('rollback');
  };
  // Never hold it forever: without a timeout the request would wait for the lock, then succeed.
  const timer = setTimeout(() => void release(), holdMs);
  return release;
}

describe('a statement past DATABASE_STATEMENT_TIMEOUT_MS', () => {
  it('answers 503 timeout on a read, then the same read works', async () => {
    const release = await lockTable('tickets');
    const started = Date.now();
    const res = await request(t.app).get('/api/v1/tickets?limit=5').set('Authorization', agent.auth);
    const took = Date.now() - started;
    await release();
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'timeout', message: expect.any(String) } });
    expect(took).toBeLessThan(4000);
    const after = await request(t.app).get('/api/v1/tickets?limit=5').set('Authorization', agent.auth);
    expect(after.status).toBe(200);
    expect(after.body.items).toHaveLength(1);
  });

  it('answers 503 timeout on a write (rolled back, nothing half-written), then the write works', async () => {
    const before = await request(t.app).get('/api/v1/tickets').set('Authorization', customer.auth);
    const release = await lockTable('tickets');
    const res = await request(t.app)
      .post('/api/v1/tickets')
      .set('Authorization', customer.auth)
      .send({ subject: 'During the lock', body: 'slow' });
    await release();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('timeout');
    const mid = await request(t.app).get('/api/v1/tickets').set('Authorization', customer.auth);
    expect(mid.body.items).toHaveLength(before.body.items.length);
    const created = await request(t.app)
      .post('/api/v1/tickets')
      .set('Authorization', customer.auth)
      .send({ subject: 'After the lock', body: 'fast' });
    expect(created.status).toBe(201);
  });

  it('leaves every pooled connection usable: more timeouts than connections, then as many requests succeed', async () => {
    const release = await lockTable('tickets');
    // 12 concurrent requests on a pool of 8: every connection runs into the timeout at least once.
    const timedOut = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(t.app).get('/api/v1/tickets?limit=5').set('Authorization', agent.auth),
      ),
    );
    await release();
    expect(timedOut.map((r) => r.status)).toEqual(Array(12).fill(503));
    const ok = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(t.app).get('/api/v1/tickets?limit=5').set('Authorization', agent.auth),
      ),
    );
    expect(ok.map((r) => r.status)).toEqual(Array(12).fill(200));
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(200);
  });

  it('stats too: a stats read past the timeout is a 503, then stats answer', async () => {
    const release = await lockTable('ticket_status_counts');
    const res = await request(t.app).get('/api/v1/stats').set('Authorization', agent.auth);
    await release();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('timeout');
    const after = await request(t.app).get('/api/v1/stats').set('Authorization', agent.auth);
    expect(after.status).toBe(200);
  });
});
