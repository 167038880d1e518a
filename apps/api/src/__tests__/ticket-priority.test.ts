import request from 'supertest';
import { team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/** Agents decide urgency: a customer opens a ticket at low or normal priority, staff at any. */
let t: TestApi;
let people: Awaited<ReturnType<typeof team>>;
beforeAll(async () => {
  t = await startTestApi('api_priority');
  people = await team(t.uc);
});
afterAll(async () => {
  await t.close();
});

async function ticketCount(): Promise<number> {
  const r = await t.db.db.$client.query<{ n: number }>('select count(*)::int as n from tickets');
  return r.rows[0]?.n ?? -1;
}

function open(auth: string, priority?: string) {
  return request(t.app)
    .post('/api/v1/tickets')
    .set('Authorization', auth)
    .send({ subject: 'Printer', body: 'It is on fire', ...(priority ? { priority } : {}) });
}

describe('priority when opening a ticket', () => {
  it.each(['high', 'urgent'])(
    'a customer asking for %s gets 403 naming priority and no ticket',
    async (p) => {
      const before = await ticketCount();
      const res = await open(people.customer.auth, p);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.details).toEqual([{ path: 'priority', message: expect.any(String) }]);
      expect(await ticketCount()).toBe(before);
    },
  );

  it.each([
    ['low', 'low'],
    ['normal', 'normal'],
    [undefined, 'normal'],
  ])('a customer may open at %s (stored %s)', async (p, stored) => {
    const res = await open(people.customer.auth, p);
    expect(res.status).toBe(201);
    expect(res.body.priority).toBe(stored);
  });

  it.each([
    ['agent', 'urgent'],
    ['admin', 'high'],
  ] as const)('an %s may open at %s', async (who, p) => {
    const res = await open(people[who].auth, p);
    expect(res.status).toBe(201);
    expect(res.body.priority).toBe(p);
  });

  it('an unknown priority is still a 400 naming priority, for anyone', async () => {
    for (const who of ['customer', 'agent'] as const) {
      const res = await open(people[who].auth, 'critical');
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('priority');
    }
  });
});
