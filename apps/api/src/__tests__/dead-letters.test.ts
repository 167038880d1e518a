import request from 'supertest';
import { ticketOf } from './helpers/fixtures';
import { authFor, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/**
 * Issue 13 item 8 on the API's side: admins read the dead letters the bot kept (newest first, paged), nobody
 * else does; and what Postgres cannot store is refused in request bodies (naming the field) but cleaned in
 * the Telegram profile of initData (its owner could not change it).
 */
let t: TestApi;
let people: Awaited<ReturnType<typeof team>>;
beforeAll(async () => {
  t = await startTestApi('api_dead_letters');
  people = await team(t.uc);
  for (const updateId of [501, 502, 503]) {
    await t.uc.recordDeadLetter({
      updateId,
      update: { update_id: updateId, message: { text: `poison ${updateId}\u0000` } },
      error: `error ${updateId}`,
    });
  }
});
afterAll(async () => {
  await t.close();
});

const get = (path: string, auth: string) => request(t.app).get(`/api/v1${path}`).set('Authorization', auth);

describe('GET /api/v1/dead-letters', () => {
  it('gives admins the dead letters newest first, a page at a time', async () => {
    const first = await get('/dead-letters?limit=2', people.admin.auth);
    expect(first.status).toBe(200);
    expect(first.body.items.map((l: { updateId: number }) => l.updateId)).toEqual([503, 502]);
    expect(first.body.items[0]).toEqual({
      id: expect.any(Number),
      updateId: 503,
      update: { update_id: 503, message: { text: 'poison 503' } },
      error: 'error 503',
      createdAt: expect.any(String),
    });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`/dead-letters?limit=2&before=${first.body.nextCursor}`, people.admin.auth);
    expect(second.status).toBe(200);
    expect(second.body.items.map((l: { updateId: number }) => l.updateId)).toEqual([501]);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each(['agent', 'customer'] as const)('refuses an %s with 403 and shows nothing', async (role) => {
    const res = await get('/dead-letters', people[role].auth);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('poison');
  });

  it('names a bad query parameter with 400', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['before=-1', 'before'],
      ['before=1%00', 'before'],
      ['page=2', 'page'],
    ]) {
      const res = await get(`/dead-letters?${query}`, people.admin.auth);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([field]);
    }
  });
});

describe('what Postgres cannot store', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('a body with %s is a 400 naming the field, and nothing is written', async (_what, text) => {
    const ticket = await ticketOf(t.uc, people.customer);
    for (const [path, body, field] of [
      ['/tickets', { subject: 'Fine', body: text }, 'body'],
      ['/tickets', { subject: text, body: 'Fine' }, 'subject'],
      [`/tickets/${ticket.id}/messages`, { body: text }, 'body'],
    ] as const) {
      const res = await request(t.app)
        .post(`/api/v1${path}`)
        .set('Authorization', people.customer.auth)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));
      expect({ path, field, status: res.status }).toEqual({ path, field, status: 400 });
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([field]);
    }
    expect(
      (
        await t.db.db.$client.query('select count(*)::int as n from messages where ticket_id = $1', [
          ticket.id,
        ])
      ).rows,
    ).toEqual([{ n: 1 }]);
  });

  it.each(['/tickets', '/agents'])('a search (%s?q=) with NUL is a 400 naming q', async (path) => {
    const res = await get(`${path}?q=a%00b`, people.admin.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['q']);
  });

  it('a Telegram name with NUL and a lone surrogate in initData signs in, stored cleaned', async () => {
    const auth = authFor({ id: 900_777, first_name: 'a\u0000b', last_name: 'c\udc00', language_code: 'en' });
    const res = await get('/me', auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 900_777, firstName: 'ab', lastName: 'c\ufffd' });
  });
});
