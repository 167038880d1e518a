import request from 'supertest';
import { ticketOf } from './helpers/fixtures';
import { team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

let t: TestApi;
let people: Awaited<ReturnType<typeof team>>;
beforeAll(async () => {
  t = await startTestApi('api_cursor');
  people = await team(t.uc);
  for (let i = 0; i < 3; i++) await ticketOf(t.uc, people.customer);
  for (let i = 0; i < 2; i++) await ticketOf(t.uc, people.other);
});
afterAll(async () => {
  await t.close();
});

const list = (auth: string, query: Record<string, string>) =>
  request(t.app).get('/api/v1/tickets').query(query).set('Authorization', auth);
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('GET /tickets cursor', () => {
  it.each([
    ['a time Date.parse takes and Postgres refuses', cursorOf(['1', 1])],
    ['no real date', cursorOf(['2026-13-45 10:00:00+00', 1])],
    ['no real time of day', cursorOf(['2026-01-01 24:61:00+00', 1])],
    ['an id past int4', cursorOf(['2026-01-01 10:00:00+00', 99_999_999_999])],
    ['a negative id', cursorOf(['2026-01-01 10:00:00+00', -1])],
    ['a fractional id', cursorOf(['2026-01-01 10:00:00+00', 1.5])],
    ['infinity', cursorOf(['infinity', 1])],
    ['an object', cursorOf({ at: '2026-01-01 10:00:00+00', id: 1 })],
    ['three items', cursorOf(['2026-01-01 10:00:00+00', 1, 2])],
    ['not JSON', Buffer.from('not json').toString('base64url')],
    ['not base64url', '%%%'],
  ])('%s answers 400 naming cursor, never 500', async (_case, cursor) => {
    for (const who of [people.agent, people.customer]) {
      const res = await list(who.auth, { cursor });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'cursor', message: expect.any(String) }]);
    }
  });

  it('a cursor the server issued pages on, without repeats, for staff and customers alike', async () => {
    const first = await list(people.agent.auth, { limit: '2' });
    expect(first.status).toBe(200);
    const seen = first.body.items.map((i: { id: number }) => i.id);
    let cursor: string | null = first.body.nextCursor;
    while (cursor) {
      const next = await list(people.agent.auth, { limit: '2', cursor });
      expect(next.status).toBe(200);
      seen.push(...next.body.items.map((i: { id: number }) => i.id));
      cursor = next.body.nextCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);

    // A cursor carries no identity: the customer with the agent's cursor still sees only their own tickets.
    const agentPage = await list(people.agent.auth, { limit: '1' });
    const mine = await list(people.customer.auth, { cursor: agentPage.body.nextCursor, limit: '100' });
    expect(mine.status).toBe(200);
    expect(mine.body.items.every((i: { customerId: number }) => i.customerId === people.customer.id)).toBe(
      true,
    );
  });
});
