import request from 'supertest';
import { ticketOf } from './helpers/fixtures';
import { type Person, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/** GET /stats?from=&to=: the range, its validation (400 naming the field) and who may ask. */
let t: TestApi;
let agent: Person;
let admin: Person;
let customer: Person;

beforeAll(async () => {
  t = await startTestApi('api_stats');
  ({ agent, admin, customer } = await team(t.uc));
  await ticketOf(t.uc, customer);
});
afterAll(async () => {
  await t.close();
});

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

function stats(query: string, who: Person = agent) {
  return request(t.app).get(`/api/v1/stats${query}`).set('Authorization', who.auth);
}

describe('GET /stats', () => {
  it('keeps the shape the Mini App reads and adds the range: the last 30 days by default', async () => {
    const res = await stats('');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      from: daysAgo(29),
      to: today(),
      new: 1,
      open: 0,
      pending: 0,
      resolved: 0,
      closed: 0,
      firstResponseMedianMs: null,
      resolutionMedianMs: null,
      csat: { average: null, count: 0 },
    });
    expect(res.body.perDay).toHaveLength(30);
    expect(res.body.perDay[29]).toEqual({ date: today(), created: 1, resolved: 0 });
  });

  it('takes from and to (inclusive UTC days), for agents and admins', async () => {
    const one = await stats(`?from=${today()}&to=${today()}`, admin);
    expect(one.status).toBe(200);
    expect(one.body.perDay).toEqual([{ date: today(), created: 1, resolved: 0 }]);
    const past = await stats('?from=2020-02-27&to=2020-03-01');
    expect(past.body.perDay.map((d: { date: string }) => d.date)).toEqual([
      '2020-02-27',
      '2020-02-28',
      '2020-02-29',
      '2020-03-01',
    ]);
    expect(past.body.perDay.every((d: { created: number }) => d.created === 0)).toBe(true);
    const year = await stats(`?from=${daysAgo(365)}&to=${today()}`);
    expect(year.status).toBe(200);
    expect(year.body.perDay).toHaveLength(366);
  });

  it.each([
    ['?from=2026-02-30', 'from'],
    ['?to=yesterday', 'to'],
    ['?from=2026-1-1', 'from'],
    ['?from=0000-01-01&to=2026-01-01', 'from'],
    ['?from=2026-03-02&to=2026-03-01', 'from'],
    ['?from=2024-01-01&to=2026-01-01', 'to'],
    ['?from=2026-01-01&from=2026-01-02', 'from'],
    ['?days=7', 'days'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const res = await stats(query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([field]);
  });

  it('is refused to customers (403) whatever the query', async () => {
    expect((await stats('', customer)).status).toBe(403);
    expect((await stats(`?from=${today()}`, customer)).status).toBe(403);
    expect((await stats('?from=garbage', customer)).status).toBe(403);
  });
});
