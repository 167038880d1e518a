import { createUseCases } from '@tikethet/db';
import { eventually } from '@tikethet/testkit';
import request from 'supertest';
import { ticketOf } from './helpers/fixtures';
import { authFor, person, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

let t: TestApi;
let people: Awaited<ReturnType<typeof team>>;
beforeAll(async () => {
  t = await startTestApi('api_input');
  people = await team(t.uc);
});
afterAll(async () => {
  await t.close();
});

const v1 = (path: string) => `/api/v1${path}`;

async function count(table: string): Promise<number> {
  const r = await t.db.db.$client.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return r.rows[0]?.n ?? -1;
}

describe('mass assignment', () => {
  it.each([
    ['customerId', 424242],
    ['assigneeId', 900_002],
    ['status', 'resolved'],
    ['role', 'admin'],
    ['authorId', 900_001],
    ['id', 1],
    ['version', 7],
  ])('POST /tickets with %s is refused and creates nothing', async (field, value) => {
    const before = await count('tickets');
    const res = await request(t.app)
      .post(v1('/tickets'))
      .set('Authorization', people.customer.auth)
      .send({ subject: 'S', body: 'B', [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: field, message: expect.any(String) }]);
    expect(await count('tickets')).toBe(before);
  });

  it.each([
    [{ priority: 'urgent' }, 'priority'],
    [{ assigneeId: 900_003 }, 'assigneeId'],
    [{ categoryId: null }, 'categoryId'],
    [{ status: 'resolved' }, 'status'],
    [{ status: 'closed', customerId: 1 }, 'customerId'],
  ])("a customer's PATCH %j is refused naming %s", async (patch, field) => {
    const ticket = await ticketOf(t.uc, people.customer);
    const res = await request(t.app)
      .patch(v1(`/tickets/${ticket.id}`))
      .set('Authorization', people.customer.auth)
      .send({ version: ticket.version, ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    const after = await t.uc.findTicket(ticket.id);
    expect(after).toMatchObject({
      version: ticket.version,
      priority: 'normal',
      status: 'new',
      assigneeId: null,
    });
  });

  it("a customer's message cannot be internal nor name its author", async () => {
    const ticket = await ticketOf(t.uc, people.customer);
    for (const extra of [{ internal: true }, { authorId: 900_002 }, { kind: 'agent' }]) {
      const res = await request(t.app)
        .post(v1(`/tickets/${ticket.id}/messages`))
        .set('Authorization', people.customer.auth)
        .send({ body: 'hi', ...extra });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe(Object.keys(extra)[0]);
    }
    expect((await t.uc.findTicket(ticket.id))?.lastSeq).toBe(ticket.lastSeq);
    // Saying plainly that it is not internal is fine (the contract's `internal?`).
    const plain = await request(t.app)
      .post(v1(`/tickets/${ticket.id}/messages`))
      .set('Authorization', people.customer.auth)
      .send({ body: 'not a note', internal: false });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ kind: 'customer', internal: false });
  });

  it('roles and owners cannot be set through any body', async () => {
    const { agent, customer } = people;
    const canned = await request(t.app)
      .post(v1('/canned-replies'))
      .set('Authorization', agent.auth)
      .send({ shortcut: 'mine', title: 'T', body: 'B', ownerId: 1 });
    expect(canned.status).toBe(400);
    const shared = await request(t.app)
      .post(v1('/canned-replies'))
      .set('Authorization', agent.auth)
      .send({ shortcut: 'shared1', title: 'T', body: 'B', shared: true });
    expect(shared.status).toBe(403);
    const self = await request(t.app)
      .put(v1(`/agents/${agent.id}`))
      .set('Authorization', agent.auth)
      .send({ role: 'admin' });
    expect(self.status).toBe(403);
    const rating = await ticketOf(t.uc, customer);
    const rated = await request(t.app)
      .post(v1(`/tickets/${rating.id}/rating`))
      .set('Authorization', customer.auth)
      .send({ score: 5, ticketId: 1 });
    expect(rated.status).toBe(400);
    expect((await t.uc.getUser(agent.id))?.role).toBe('agent');
    expect((await t.uc.getUser(customer.id))?.role).toBe('customer');
  });
});

describe('errors', () => {
  it('malformed JSON is 400 invalid_json; a body over 64 KB is 413; an unknown route is 404', async () => {
    const bad = await request(t.app)
      .post(v1('/tickets'))
      .set('Authorization', people.customer.auth)
      .set('Content-Type', 'application/json')
      .send('{"subject": "x",');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    const big = await request(t.app)
      .post(v1('/tickets'))
      .set('Authorization', people.customer.auth)
      .send({ subject: 'x', body: 'y'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const missing = await request(t.app).get(v1('/nothing-here')).set('Authorization', people.customer.auth);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('unknown query keys are named; bad values name their field', async () => {
    const res = await request(t.app)
      .get(v1('/tickets?limit=5&colour=red&sort=asc'))
      .set('Authorization', people.agent.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['colour', 'sort']);
    const limit = await request(t.app).get(v1('/tickets?limit=1000')).set('Authorization', people.agent.auth);
    expect(limit.status).toBe(400);
    expect(limit.body.error.details[0].path).toBe('limit');
    const me = await request(t.app).get(v1('/me?x=1')).set('Authorization', people.agent.auth);
    expect(me.status).toBe(400);
    expect(me.body.error.details).toEqual([{ path: 'x', message: expect.any(String) }]);
  });

  it('domain errors keep their codes: stale version 409, already claimed 409, bad id 400', async () => {
    const ticket = await ticketOf(t.uc, people.customer);
    await t.uc.claimTicket(people.admin, ticket.id);
    const claim = await request(t.app)
      .post(v1(`/tickets/${ticket.id}/claim`))
      .set('Authorization', people.agent.auth);
    expect(claim.status).toBe(409);
    expect(claim.body.error.code).toBe('already_claimed');
    const stale = await request(t.app)
      .patch(v1(`/tickets/${ticket.id}`))
      .set('Authorization', people.agent.auth)
      .send({ priority: 'low', version: ticket.version });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const badId = await request(t.app).get(v1('/tickets/abc')).set('Authorization', people.agent.auth);
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0].path).toBe('id');
  });

  it('X-Request-Id is kept when sane and made otherwise', async () => {
    const kept = await request(t.app).get('/healthz').set('X-Request-Id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const made = await request(t.app).get('/healthz').set('X-Request-Id', 'bad id\twith spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('authentication cache and roles', () => {
  const upserts = async () => {
    const text = (await request(t.app).get('/metrics')).text;
    return Number(/^api_auth_user_upserts_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  };

  it('a repeated request does not write the user; a changed profile does', async () => {
    const { customer } = people;
    await request(t.app).get(v1('/me')).set('Authorization', customer.auth);
    const before = await upserts();
    for (let i = 0; i < 5; i++) {
      expect((await request(t.app).get(v1('/me')).set('Authorization', customer.auth)).status).toBe(200);
    }
    expect(await upserts()).toBe(before);
    const renamed = authFor({ ...customer.profile, username: 'renamed_user' });
    const me = await request(t.app).get(v1('/me')).set('Authorization', renamed);
    expect(me.body.username).toBe('renamed_user');
    expect(await upserts()).toBe(before + 1);
  });

  it('a role change through the API takes effect on the very next request', async () => {
    const target = await person(t.uc, 950_001, 'customer');
    expect((await request(t.app).get(v1('/stats')).set('Authorization', target.auth)).status).toBe(403);
    const put = await request(t.app)
      .put(v1(`/agents/${target.id}`))
      .set('Authorization', people.admin.auth)
      .send({ role: 'agent' });
    expect(put.status).toBe(200);
    expect((await request(t.app).get(v1('/stats')).set('Authorization', target.auth)).status).toBe(200);
  });

  it('a role change made by another process reaches this one over the bus', async () => {
    const target = await person(t.uc, 950_002, 'agent');
    expect((await request(t.app).get(v1('/stats')).set('Authorization', target.auth)).status).toBe(200);
    const elsewhere = createUseCases({ db: t.db.db, bus: t.otherBus() });
    await elsewhere.setRole({ id: people.admin.id, role: 'admin' }, target.id, 'customer');
    await elsewhere.flush();
    await eventually(async () => {
      expect((await request(t.app).get(v1('/stats')).set('Authorization', target.auth)).status).toBe(403);
    });
    expect((await request(t.app).get(v1('/me')).set('Authorization', target.auth)).body.role).toBe(
      'customer',
    );
  });

  it('ADMIN_TELEGRAM_IDS makes an admin whatever the row says, on the next profile write', async () => {
    await t.db.db.$client.query(`update users set role = 'customer' where id = ${people.admin.id}`);
    const fresh = authFor({ ...people.admin.profile, last_name: 'Bootstrapped' });
    const res = await request(t.app).get(v1('/me')).set('Authorization', fresh);
    expect(res.body).toMatchObject({ role: 'admin', lastName: 'Bootstrapped' });
    expect((await t.uc.getUser(people.admin.id))?.role).toBe('admin');
  });
});
