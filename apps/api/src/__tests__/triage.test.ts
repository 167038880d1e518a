import request from 'supertest';
import { resolvedTicketOf, ticketOf } from './helpers/fixtures';
import { type Person, person, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/** Issue 19: tags, bulk actions from the queue, tag admin, the customer card, merges — from both sides. */
let t: TestApi;
let admin: Person;
let agent: Person;
let customer: Person;
let other: Person;
let agent2: Person;

beforeAll(async () => {
  t = await startTestApi('api_triage');
  ({ admin, agent, customer, other } = await team(t.uc));
  agent2 = await person(t.uc, 900_005, 'agent', 'Second');
});
afterAll(async () => {
  await t.close();
});

const v1 = (path: string) => `/api/v1${path}`;
const as = (who: Person) => ({
  get: (path: string) => request(t.app).get(v1(path)).set('Authorization', who.auth),
  patch: (path: string, body: object) =>
    request(t.app).patch(v1(path)).set('Authorization', who.auth).send(body),
  post: (path: string, body: object) =>
    request(t.app).post(v1(path)).set('Authorization', who.auth).send(body),
  put: (path: string, body: object) => request(t.app).put(v1(path)).set('Authorization', who.auth).send(body),
});
const tagCount = async (name: string) => {
  const rows = await t.db.db.$client.query<{ tickets: number }>('select tickets from tags where name = $1', [
    name,
  ]);
  return rows.rows[0]?.tickets ?? 0;
};

describe('tags on a ticket', () => {
  it('staff set them (normalised, deduplicated); the list filters by one; customers see but cannot set them', async () => {
    const ticket = await ticketOf(t.uc, customer);
    const res = await as(agent).patch(`/tickets/${ticket.id}`, {
      tags: ['Billing ', 'billing', 'vip'],
      version: ticket.version,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tags: ['billing', 'vip'], version: ticket.version + 1 });
    const untagged = await ticketOf(t.uc, customer);

    const staffList = await as(agent).get('/tickets?tag=billing&limit=100');
    expect(staffList.status).toBe(200);
    expect(staffList.body.items.map((i: { id: number }) => i.id)).toEqual([ticket.id]);
    expect(staffList.body.items[0].tags).toEqual(['billing', 'vip']);
    const own = await as(customer).get(`/tickets/${ticket.id}`);
    expect(own.body.tags).toEqual(['billing', 'vip']);
    // Another customer's filter by the same tag finds none of this customer's tickets.
    expect((await as(other).get('/tickets?tag=billing')).body.items).toEqual([]);

    const refused = await as(customer).patch(`/tickets/${untagged.id}`, {
      tags: ['mine'],
      version: untagged.version,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toContain('tags');
    expect((await t.uc.findTicket(untagged.id))?.tags).toEqual([]);
    await expect(
      t.uc.updateTicket(customer, untagged.id, { tags: ['mine'], version: untagged.version }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(await tagCount('billing')).toBe(1);
  });

  it('refuses a bad tag, too many tags and a bad tag filter, naming the field', async () => {
    const ticket = await ticketOf(t.uc, customer);
    const bad = await as(agent).patch(`/tickets/${ticket.id}`, { tags: ['ok', 'no spaces'], version: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('tags.1');
    const many = Array.from({ length: 11 }, (_, i) => `t${i}`);
    const tooMany = await as(agent).patch(`/tickets/${ticket.id}`, { tags: many, version: 1 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0].path).toBe('tags');
    const filter = await as(agent).get('/tickets?tag=%20');
    expect(filter.status).toBe(400);
    expect(filter.body.error.details[0].path).toBe('tag');
  });
});

describe('bulk actions', () => {
  it('two agents tagging the same tickets at once both get their tags, and the counts agree', async () => {
    const tickets = await Promise.all(Array.from({ length: 12 }, () => ticketOf(t.uc, customer)));
    const ids = tickets.map((x) => x.id);
    const [a, b, c] = await Promise.all([
      as(agent).post('/tickets/bulk', { ids, addTags: ['refund'] }),
      as(agent2).post('/tickets/bulk', { ids: [...ids].reverse(), addTags: ['urgent-call'] }),
      as(admin).post('/tickets/bulk', { ids, addTags: ['refund', 'q4'], priority: 'high' }),
    ]);
    for (const res of [a, b, c]) {
      expect(res.status).toBe(200);
      expect(res.body.items.every((i: { ok: boolean }) => i.ok)).toBe(true);
    }
    for (const id of ids) {
      const ticket = await t.uc.findTicket(id);
      expect([...(ticket?.tags ?? [])].sort()).toEqual(['q4', 'refund', 'urgent-call']);
      expect(ticket?.priority).toBe('high');
      // Three changes, three versions: none was lost.
      expect(ticket?.version).toBe(4);
      const events = await t.uc.readEvents(id, 0);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    }
    expect(await tagCount('refund')).toBe(12);
    expect(await tagCount('urgent-call')).toBe(12);
    const list = await as(agent).get('/tickets?tag=urgent-call&limit=100');
    expect(list.body.items.map((i: { id: number }) => i.id).sort()).toEqual([...ids].sort());

    // Removing while another agent adds: each ticket ends with exactly what both asked for.
    await Promise.all([
      as(agent).post('/tickets/bulk', { ids, removeTags: ['refund'] }),
      as(agent2).post('/tickets/bulk', { ids, addTags: ['followup'] }),
    ]);
    for (const id of ids) {
      expect([...((await t.uc.findTicket(id))?.tags ?? [])].sort()).toEqual([
        'followup',
        'q4',
        'urgent-call',
      ]);
    }
    expect(await tagCount('refund')).toBe(0);
    expect(await tagCount('followup')).toBe(12);
  });

  it('closes and assigns many at once; each refusal is reported for its ticket only', async () => {
    const open = await ticketOf(t.uc, customer);
    const closed = await ticketOf(t.uc, customer);
    await t.uc.updateTicket(agent, closed.id, { status: 'closed', version: closed.version });
    const res = await as(agent).post('/tickets/bulk', {
      ids: [open.id, 2_147_483_647, closed.id],
      status: 'resolved',
      assigneeId: agent2.id,
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { id: open.id, ok: true },
      { id: 2_147_483_647, ok: false, error: { code: 'not_found', message: expect.any(String) } },
      { id: closed.id, ok: false, error: { code: 'invalid_transition', message: expect.any(String) } },
    ]);
    expect(await t.uc.findTicket(open.id)).toMatchObject({ status: 'resolved', assigneeId: agent2.id });
    expect(await t.uc.findTicket(closed.id)).toMatchObject({ status: 'closed', assigneeId: null });
  });

  it('is for staff only, and refuses bad input naming the field', async () => {
    const ticket = await ticketOf(t.uc, customer);
    const refused = await as(customer).post('/tickets/bulk', { ids: [ticket.id], status: 'closed' });
    expect(refused.status).toBe(403);
    expect((await t.uc.findTicket(ticket.id))?.status).toBe('new');
    for (const [body, path] of [
      [{ ids: [] }, 'ids'],
      [{ ids: [ticket.id] }, 'addTags'],
      [{ ids: Array.from({ length: 101 }, (_, i) => i + 1), status: 'closed' }, 'ids'],
      [{ ids: [ticket.id], addTags: ['a b'] }, 'addTags.0'],
      [{ ids: [ticket.id], status: 'gone' }, 'status'],
    ] as const) {
      const res = await as(agent).post('/tickets/bulk', body);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.error.details[0].path).toBe(path);
    }
    const full = await ticketOf(t.uc, customer);
    await t.uc.updateTicket(agent, full.id, {
      tags: Array.from({ length: 10 }, (_, i) => `full${i}`),
      version: full.version,
    });
    const over = await as(agent).post('/tickets/bulk', { ids: [full.id], addTags: ['eleventh'] });
    expect(over.body.items[0]).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});

describe('tag admin and stats', () => {
  it('admins rename a tag everywhere; a name in use merges the two; agents may not', async () => {
    const one = await ticketOf(t.uc, customer);
    const both = await ticketOf(t.uc, customer);
    await t.uc.updateTicket(agent, one.id, { tags: ['shipping'], version: one.version });
    await t.uc.updateTicket(agent, both.id, { tags: ['delivery', 'shipping'], version: both.version });
    expect((await as(agent).put('/tags/shipping', { name: 'delivery' })).status).toBe(403);
    const res = await as(admin).put('/tags/Shipping', { name: 'delivery' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'delivery', tickets: 2 });
    expect((await t.uc.findTicket(one.id))?.tags).toEqual(['delivery']);
    expect((await t.uc.findTicket(both.id))?.tags).toEqual(['delivery']);
    expect(await tagCount('shipping')).toBe(0);
    const events = await t.uc.readEvents(one.id, 0);
    expect(events[events.length - 1]).toMatchObject({ type: 'ticket.updated', data: { changes: ['tags'] } });
    expect((await as(admin).put('/tags/never-used', { name: 'x' })).status).toBe(404);
    expect((await as(admin).put('/tags/delivery', { name: '' })).body.error.details[0].path).toBe('name');

    const tags = await as(agent).get('/tags?q=deli');
    expect(tags.body.items).toEqual([{ name: 'delivery', tickets: 2 }]);
    expect((await as(customer).get('/tags')).status).toBe(403);
  });

  it('stats carry the tag counts and the CSAT comments of the range', async () => {
    const ticket = await resolvedTicketOf(t.uc, customer, agent);
    await t.uc.rateTicket(customer, ticket.id, { score: 2, comment: 'slow answer' });
    const res = await as(agent).get('/stats');
    expect(res.status).toBe(200);
    expect(res.body.tags).toEqual(expect.arrayContaining([{ name: 'followup', tickets: 12 }]));
    expect(res.body.comments[0]).toMatchObject({ ticketId: ticket.id, score: 2, comment: 'slow answer' });
    const past = await as(agent).get('/stats?from=2020-01-01&to=2020-01-31');
    expect(past.body.comments).toEqual([]);
    // The comment shows on the ticket for staff (and its customer, who wrote it).
    expect((await as(agent).get(`/tickets/${ticket.id}`)).body.ratingComment).toBe('slow answer');
  });
});

describe('the customer card', () => {
  it('shows staff the history with ratings, the phone and the note; the note stays across tickets', async () => {
    const rated = await resolvedTicketOf(t.uc, customer, agent);
    await t.uc.rateTicket(customer, rated.id, { score: 5, comment: 'great' });
    const set = await as(agent).patch(`/customers/${customer.id}`, {
      note: 'Prefers Russian; VIP since 2024',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ note: 'Prefers Russian; VIP since 2024', noteUpdatedBy: agent.id });
    const fresh = await ticketOf(t.uc, customer);
    const card = await as(admin).get(`/customers/${customer.id}`);
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({
      id: customer.id,
      username: customer.profile.username,
      phone: null,
      phoneVerified: false,
      note: 'Prefers Russian; VIP since 2024',
    });
    expect(card.body.tickets[0]).toMatchObject({ id: fresh.id, status: 'new', rating: null });
    expect(card.body.tickets).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: rated.id, rating: 5, ratingComment: 'great' })]),
    );
    expect(card.body.ticketCount).toBeGreaterThanOrEqual(card.body.tickets.length);
    // On any ticket of theirs, staff see the note; the customer never does.
    expect((await as(agent).get(`/tickets/${fresh.id}`)).body.customer.note).toBe(
      'Prefers Russian; VIP since 2024',
    );
    const own = await as(customer).get(`/tickets/${fresh.id}`);
    expect(own.body.customer).toMatchObject({ note: null, phone: null });
    expect(JSON.stringify(own.body)).not.toContain('VIP since');
  });

  it('is refused to customers (their own card too), and bad input names the field', async () => {
    expect((await as(customer).get(`/customers/${customer.id}`)).status).toBe(403);
    expect((await as(other).get(`/customers/${customer.id}`)).status).toBe(403);
    const write = await as(customer).patch(`/customers/${customer.id}`, { note: 'I am nice' });
    expect(write.status).toBe(403);
    expect((await t.uc.getCustomer(agent, customer.id)).note).not.toBe('I am nice');
    expect((await as(agent).get('/customers/123456789012')).status).toBe(404);
    expect((await as(agent).get('/customers/abc')).body.error.details[0].path).toBe('telegramId');
    const long = await as(agent).patch(`/customers/${customer.id}`, { note: 'x'.repeat(4001) });
    expect([long.status, long.body.error.details[0].path]).toEqual([400, 'note']);
    const extra = await as(agent).patch(`/customers/${customer.id}`, { note: 'a', phone: '1' });
    expect([extra.status, extra.body.error.details[0].path]).toEqual([400, 'phone']);
    const cleared = await as(agent).patch(`/customers/${customer.id}`, { note: '' });
    expect(cleared.body.note).toBeNull();
  });
});

describe('a shared phone', () => {
  it("is stored only from the sender's own contact, and staff find the customer by it", async () => {
    const foreign = await t.uc.recordOwnContact(other.id, {
      user_id: customer.id,
      phone_number: '+7 999 000-11-22',
    });
    const unnamed = await t.uc.recordOwnContact(other.id, { phone_number: '79990001122' });
    expect([foreign, unnamed]).toEqual([false, false]);
    expect((await t.uc.getCustomer(agent, other.id)).phone).toBeNull();
    expect(
      await t.uc.recordOwnContact(customer.id, { user_id: customer.id, phone_number: '+7 999 000-11-22' }),
    ).toBe(true);
    const card = await as(agent).get(`/customers/${customer.id}`);
    expect(card.body).toMatchObject({ phone: '79990001122', phoneVerified: true });
    const ticket = await ticketOf(t.uc, customer);
    const found = await as(agent).get(`/tickets?q=${encodeURIComponent('+7 999 000')}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { id: number }) => i.id)).toContain(ticket.id);
    expect(found.body.items.every((i: { customerId: number }) => i.customerId === customer.id)).toBe(true);
    // A customer's search by that number finds nothing of anyone's by phone.
    expect((await as(other).get(`/tickets?q=${encodeURIComponent('+7 999 000')}`)).body.items).toEqual([]);
  });
});

describe('asking for the phone', () => {
  it('staff ask on a ticket (an event the bot acts on); 409 without a bot chat; customers may not', async () => {
    const lonely = await person(t.uc, 900_006, 'customer', 'NoChat');
    const without = await ticketOf(t.uc, lonely);
    const refused = await as(agent).post(`/tickets/${without.id}/request-contact`, {});
    expect([refused.status, refused.body.error.code]).toEqual([409, 'conflict']);
    await t.uc.upsertUser(lonely.profile, { botChatId: lonely.id });
    expect((await as(lonely).post(`/tickets/${without.id}/request-contact`, {})).status).toBe(403);
    const res = await as(agent).post(`/tickets/${without.id}/request-contact`, {});
    expect(res.status).toBe(200);
    const log = await t.uc.readEvents(without.id, 0);
    expect(log[log.length - 1]).toMatchObject({
      type: 'ticket.updated',
      actorId: agent.id,
      data: { changes: ['contactRequested'] },
    });
    expect((await as(agent).post('/tickets/2147483647/request-contact', {})).status).toBe(404);
  });
});

describe('merge', () => {
  it('moves every message once, in order, closes the merged ticket with a pointer and tells its followers', async () => {
    const into = await ticketOf(t.uc, customer, 'Card payment fails');
    await t.uc.postMessage(agent, into.id, { body: 'which card?' });
    const dup = await ticketOf(t.uc, customer, 'Payment again');
    await t.uc.postMessage(customer, dup.id, { body: 'still failing' });
    await t.uc.postMessage(agent, dup.id, { body: 'checking', internal: true });
    await t.uc.updateTicket(agent, dup.id, {
      tags: ['payments'],
      version: (await t.uc.findTicket(dup.id))?.version ?? 0,
    });
    const before = await t.uc.listMessages(agent, into.id);
    const moving = await t.uc.listMessages(agent, dup.id);

    const res = await as(agent).post(`/tickets/${dup.id}/merge`, { into: into.id });
    expect(res.status).toBe(200);
    expect(res.body.merged).toMatchObject({ id: dup.id, status: 'closed', mergedIntoId: into.id });
    expect(res.body.into).toMatchObject({ id: into.id, tags: ['payments'] });

    const after = await t.uc.listMessages(agent, into.id);
    expect(after.map((m) => m.body)).toEqual([
      ...before.map((m) => m.body),
      ...moving.map((m) => m.body),
      `#${dup.id} «Payment again» merged into this ticket (3 messages).`,
    ]);
    expect(after.map((m) => m.id).slice(before.length, -1)).toEqual(moving.map((m) => m.id));
    expect(after.map((m) => m.seq)).toEqual([...after.map((m) => m.seq)].sort((a, b) => a - b));
    expect(await t.uc.listMessages(agent, dup.id)).toEqual([]);
    // The customer sees the moved conversation without the note.
    const theirs = await t.uc.listMessages(customer, into.id);
    expect(theirs.map((m) => m.body)).not.toContain('checking');

    // The survivor's log announces each moved message once, in the new order, gap-free.
    const log = await t.uc.readEvents(into.id, 0);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    const moved = log.filter((e) => e.type === 'message.created' && e.data.mergedFrom === dup.id);
    expect(moved.map((e) => (e.type === 'message.created' ? e.data.message.id : 0))).toEqual(
      moving.map((m) => m.id),
    );
    const tail = await t.uc.readEvents(dup.id, 0);
    expect(tail[tail.length - 1]).toMatchObject({
      type: 'ticket.updated',
      data: { ticket: { mergedIntoId: into.id, status: 'closed' }, changes: ['status', 'mergedIntoId'] },
    });
  });

  it('refuses itself, another customer, a merged ticket and customers; chains point at the survivor', async () => {
    const a = await ticketOf(t.uc, customer);
    const b = await ticketOf(t.uc, customer);
    const c = await ticketOf(t.uc, customer);
    const foreign = await ticketOf(t.uc, other);
    const self = await as(agent).post(`/tickets/${a.id}/merge`, { into: a.id });
    expect([self.status, self.body.error.details[0].path]).toEqual([400, 'into']);
    const cross = await as(agent).post(`/tickets/${a.id}/merge`, { into: foreign.id });
    expect([cross.status, cross.body.error.details[0].path]).toEqual([400, 'into']);
    const missing = await as(agent).post(`/tickets/${a.id}/merge`, { into: 2_147_483_647 });
    expect([missing.status, missing.body.error.details[0].path]).toEqual([400, 'into']);
    expect((await as(customer).post(`/tickets/${a.id}/merge`, { into: b.id })).status).toBe(403);
    expect((await as(agent).post(`/tickets/${a.id}/merge`, {})).body.error.details[0].path).toBe('into');

    expect((await as(agent).post(`/tickets/${a.id}/merge`, { into: b.id })).status).toBe(200);
    const again = await as(agent).post(`/tickets/${a.id}/merge`, { into: c.id });
    expect([again.status, again.body.error.code]).toEqual([409, 'already_merged']);
    const intoMerged = await as(agent).post(`/tickets/${c.id}/merge`, { into: a.id });
    expect([intoMerged.status, intoMerged.body.error.details[0].path]).toEqual([400, 'into']);
    expect((await as(agent).post(`/tickets/${b.id}/merge`, { into: c.id })).status).toBe(200);
    expect((await t.uc.findTicket(a.id))?.mergedIntoId).toBe(c.id);
    expect((await t.uc.listMessages(agent, c.id)).filter((m) => m.body === 'first message')).toHaveLength(3);
  });

  it('two merges of the same pair in opposite directions at once: exactly one happens', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await ticketOf(t.uc, customer);
      const b = await ticketOf(t.uc, customer);
      const results = await Promise.all([
        as(agent).post(`/tickets/${a.id}/merge`, { into: b.id }),
        as(agent2).post(`/tickets/${b.id}/merge`, { into: a.id }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
      const survivor = results[0]?.status === 200 ? b : a;
      expect(await t.uc.listMessages(agent, survivor.id)).toHaveLength(3);
    }
  });
});
