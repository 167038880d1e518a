import { eventually, tamperInitData } from '@tikethet/testkit';
import { initDataFor, makeTicket, makeUser, type TestUser } from './helpers/fixture';
import { gatewaySuite } from './helpers/suite';
import { TestClient } from './helpers/test-client';

const suite = gatewaySuite('gateway', {
  HELLO_TIMEOUT_MS: '400',
  MAX_FRAMES_PER_S: '20',
  MAX_FRAME_BYTES: '4096',
  MAX_BUFFERED_BYTES: '65536',
  PRESENCE_INTERVAL_MS: '60000',
});
const connect = (user: TestUser) => suite.connect(user);
let customer: TestUser;
let otherCustomer: TestUser;
let agent: TestUser;

beforeAll(async () => {
  customer = await makeUser(suite.world.uc, 'customer', 'Ann');
  otherCustomer = await makeUser(suite.world.uc, 'customer', 'Bob');
  agent = await makeUser(suite.world.uc, 'agent', 'Vera');
});

describe('hello', () => {
  it('answers ready with the user and the role stored in Postgres', async () => {
    const client = await connect(agent);
    const ready = await client.next((f) => f.type === 'ready');
    expect(ready.user).toMatchObject({ id: agent.id, role: 'agent', firstName: 'Vera' });
  });

  it('records a user seen for the first time as a customer', async () => {
    const client = await TestClient.ready(suite.gw.url, initDataFor(6_999_000_001, 'New'));
    suite.track(client);
    expect(client.frames[0]).toMatchObject({ type: 'ready', user: { id: 6_999_000_001, role: 'customer' } });
    expect(await suite.world.uc.getUser(6_999_000_001)).toMatchObject({ role: 'customer' });
  });

  it('closes with 4401 on forged or expired initData', async () => {
    const forged = await TestClient.open(suite.gw.url);
    forged.send({ type: 'hello', initData: tamperInitData(customer.initData, agent.id) });
    expect(await forged.closed()).toBe(4401);
    const expired = await TestClient.open(suite.gw.url);
    expired.send({
      type: 'hello',
      initData: initDataFor(customer.id, 'Ann', Math.floor(Date.now() / 1000) - 90_000),
    });
    expect(await expired.closed()).toBe(4401);
    expect(expired.frames.some((f) => f.type === 'ready')).toBe(false);
  });

  it('closes a socket that says nothing within HELLO_TIMEOUT_MS', async () => {
    const silent = await TestClient.open(suite.gw.url);
    expect(await silent.closed()).toBe(1008);
    expect(silent.frames).toEqual([]);
  });

  it('refuses other frames before hello', async () => {
    const early = await TestClient.open(suite.gw.url);
    suite.track(early);
    early.send({ type: 'subscribe', topic: 'queue' });
    const error = await early.next((f) => f.type === 'error');
    expect(error).toMatchObject({ code: 'bad_request' });
  });
});

describe('permissions', () => {
  it('gives the same forbidden answer for a foreign ticket and a missing one', async () => {
    const ticket = await makeTicket(suite.world.uc, otherCustomer);
    const client = await connect(customer);
    const foreign = await client.subscribe(`ticket:${ticket.id}`);
    const missing = await client.subscribe('ticket:987654');
    expect(foreign).toEqual({
      type: 'error',
      code: 'forbidden',
      topic: `ticket:${ticket.id}`,
      message: expect.any(String),
    });
    expect({ ...missing, topic: 'x' }).toEqual({ ...foreign, topic: 'x' });
  });

  it('never sends internal notes to the customer; staff get them', async () => {
    const ticket = await makeTicket(suite.world.uc, customer);
    const cust = await connect(customer);
    const staff = await connect(agent);
    expect(await cust.subscribe(`ticket:${ticket.id}`)).toMatchObject({ type: 'subscribed' });
    expect(await staff.subscribe(`ticket:${ticket.id}`)).toMatchObject({ type: 'subscribed' });
    const actor = { id: agent.id, role: 'agent' as const };
    await suite.world.uc.postMessage(actor, ticket.id, { body: 'secret note', internal: true });
    await suite.world.uc.postMessage(actor, ticket.id, { body: 'public reply' });
    await eventually(() => expect(staff.events().map((e) => e.event.type)).toContain('ticket.updated'));
    await eventually(() => {
      const bodies = staff
        .events()
        .flatMap((e) => (e.event.type === 'message.created' ? [bodyOf(e.event)] : []));
      expect(bodies).toEqual(['secret note', 'public reply']);
    });
    await eventually(() => expect(cust.events().some((e) => bodyOf(e.event) === 'public reply')).toBe(true));
    expect(cust.events().every((e) => e.event.internal === false)).toBe(true);
    expect(JSON.stringify(cust.frames)).not.toContain('secret note');
  });

  it('keeps the queue for staff: customers get forbidden, agents get every ticket live', async () => {
    const cust = await connect(customer);
    expect(await cust.subscribe('queue')).toMatchObject({ type: 'error', code: 'forbidden', topic: 'queue' });
    const staff = await connect(agent);
    expect(await staff.subscribe('queue')).toMatchObject({ type: 'subscribed', topic: 'queue' });
    const ticket = await makeTicket(suite.world.uc, otherCustomer, 'Queue me');
    await suite.world.uc.postMessage({ id: agent.id, role: 'agent' }, ticket.id, {
      body: 'note on queue',
      internal: true,
    });
    await eventually(() => {
      const types = staff
        .events('queue')
        .filter((e) => e.event.ticketId === ticket.id)
        .map((e) => e.event.type);
      expect(types).toEqual(['ticket.created', 'message.created', 'message.created']);
    });
    await suite.world.uc.flush();
    expect(cust.events()).toEqual([]);
    staff.terminate();
    await eventually(async () => {
      const { values } = await suite.gw.gateway.metrics.subscriptions.get();
      expect(values.find((v) => v.labels.kind === 'queue')?.value).toBe(0);
    });
  });
});

describe('resume', () => {
  it('replays seq > after from Postgres, then goes live without a gap or a duplicate', async () => {
    const ticket = await makeTicket(suite.world.uc, customer);
    const actor = { id: customer.id, role: 'customer' as const };
    for (let i = 0; i < 5; i++) await suite.world.uc.postMessage(actor, ticket.id, { body: `before ${i}` });
    const client = await connect(customer);
    client.send({ type: 'subscribe', topic: `ticket:${ticket.id}`, after: 2 });
    const writes = Array.from({ length: 10 }, (_, i) =>
      suite.world.uc.postMessage(actor, ticket.id, { body: `during ${i}` }),
    );
    await Promise.all(writes);
    const last = (await suite.world.uc.findTicket(ticket.id))?.lastSeq ?? 0;
    await eventually(() => expect(client.events().at(-1)?.seq).toBe(last));
    const seqs = client.events().map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: last - 2 }, (_, i) => i + 3));
  });

  it('without after starts live at the current end', async () => {
    const ticket = await makeTicket(suite.world.uc, customer);
    const client = await connect(customer);
    expect(await client.subscribe(`ticket:${ticket.id}`)).toMatchObject({ lastSeq: ticket.lastSeq });
    await suite.world.uc.postMessage({ id: customer.id, role: 'customer' }, ticket.id, { body: 'live' });
    await eventually(() => expect(client.events().map((e) => e.seq)).toEqual([ticket.lastSeq + 1]));
  });
});

describe('bad input', () => {
  it('answers malformed JSON, unknown types and bad topics with bad_request and keeps the socket', async () => {
    const client = await connect(customer);
    client.send('{not json');
    client.send({ type: 'dance' });
    client.send({ type: 'subscribe', topic: 'ticket:abc' });
    client.send({ type: 'subscribe', topic: 'queue', after: -1 });
    await eventually(() => expect(client.frames.filter((f) => f.type === 'error')).toHaveLength(4));
    const errors = client.frames.filter((f) => f.type === 'error');
    expect(errors.every((e) => e.code === 'bad_request')).toBe(true);
    expect(errors[2]).toMatchObject({ field: 'topic', topic: 'ticket:abc' });
    expect(errors[3]).toMatchObject({ field: 'after' });
    client.send({ type: 'ping' });
    await client.next((f) => f.type === 'pong');
  });

  it('closes on a frame over MAX_FRAME_BYTES with 1009', async () => {
    const client = await connect(customer);
    client.send({ type: 'hello', initData: 'x'.repeat(10_000) });
    expect(await client.closed()).toBe(1009);
  });

  it('closes a flooding socket with 1008 and keeps serving the others', async () => {
    const flooder = await connect(customer);
    const bystander = await connect(agent);
    for (let i = 0; i < 500; i++) flooder.send({ type: 'ping' });
    expect(await flooder.closed()).toBe(1008);
    bystander.send({ type: 'ping' });
    await bystander.next((f) => f.type === 'pong');
  });
});

describe('role changes, typing and presence', () => {
  it('closes the sockets of a user whose role changed; hello again brings the new role', async () => {
    const user = await makeUser(suite.world.uc, 'customer', 'Promoted');
    const admin = await makeUser(suite.world.uc, 'admin', 'Boss');
    const client = await connect(user);
    await suite.world.uc.setRole({ id: admin.id, role: 'admin' }, user.id, 'agent');
    expect(await client.closed()).toBe(4000);
    const again = await connect(user);
    expect(again.frames[0]).toMatchObject({ type: 'ready', user: { role: 'agent' } });
    expect(await again.subscribe('queue')).toMatchObject({ type: 'subscribed' });
  });

  it('relays typing to the others allowed to see it, never storing it', async () => {
    const ticket = await makeTicket(suite.world.uc, customer);
    const cust = await connect(customer);
    const staff = await connect(agent);
    const colleague = await connect(await makeUser(suite.world.uc, 'agent', 'Gleb'));
    for (const c of [cust, staff, colleague]) await c.subscribe(`ticket:${ticket.id}`);
    staff.send({ type: 'typing', ticketId: ticket.id, internal: true });
    await colleague.next((f) => f.type === 'typing');
    cust.send({ type: 'typing', ticketId: ticket.id });
    const seen = await staff.next((f) => f.type === 'typing');
    expect(seen).toMatchObject({
      ticketId: ticket.id,
      internal: false,
      user: { id: customer.id, name: 'Ann' },
    });
    await colleague.next((f) => f.type === 'typing' && (f.user as { id: number }).id === customer.id);
    expect(cust.frames.some((f) => f.type === 'typing')).toBe(false);
    expect((await suite.world.uc.readEvents(ticket.id, 0)).map((e) => e.seq)).toEqual([1, 2]);
    cust.send({ type: 'typing', ticketId: 424242 });
    expect(await cust.next((f) => f.type === 'error')).toMatchObject({
      code: 'forbidden',
      topic: 'ticket:424242',
    });
  });

  it('tells staff who is viewing a ticket; customers get no presence', async () => {
    const ticket = await makeTicket(suite.world.uc, customer);
    const staff = await connect(agent);
    await staff.subscribe(`ticket:${ticket.id}`);
    const cust = await connect(customer);
    await cust.subscribe(`ticket:${ticket.id}`);
    await eventually(() => {
      const last = staff.frames.filter((f) => f.type === 'presence').at(-1);
      expect(((last?.viewers ?? []) as Array<{ id: number }>).map((v) => v.id).sort()).toEqual(
        [customer.id, agent.id].sort(),
      );
    });
    cust.close();
    await eventually(() => {
      const last = staff.frames.filter((f) => f.type === 'presence').at(-1);
      expect(((last?.viewers ?? []) as Array<{ id: number }>).map((v) => v.id)).toEqual([agent.id]);
    });
    expect(cust.frames.some((f) => f.type === 'presence')).toBe(false);
  });
});

describe('http', () => {
  it('serves healthz, readyz and metrics', async () => {
    expect((await fetch(`${suite.gw.httpUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${suite.gw.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { db: true, bus: true } });
    const metrics = await (await fetch(`${suite.gw.httpUrl}/metrics`)).text();
    expect(metrics).toContain('gateway_connections');
    expect(metrics).toContain('gateway_events_delivered_total');
    expect((await fetch(`${suite.gw.httpUrl}/nope`)).status).toBe(404);
  });
});

function bodyOf(event: Record<string, unknown>): string | undefined {
  const data = event.data as { message?: { body?: string } } | undefined;
  return data?.message?.body;
}
