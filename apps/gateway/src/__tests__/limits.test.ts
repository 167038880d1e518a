import { eventually } from '@tikethet/testkit';
import { appendEvents, makeTicket, makeUser, type TestUser } from './helpers/fixture';
import { gatewaySuite } from './helpers/suite';
import { TestClient } from './helpers/test-client';

jest.setTimeout(60_000);

/** Small caps so each can be reached; TRUST_PROXY_HOPS=1: the address is X-Forwarded-For's last entry. */
const suite = gatewaySuite('gateway_limits', {
  MAX_SOCKETS_PER_USER: '3',
  MAX_SOCKETS_PER_IP: '4',
  MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
  MAX_BUFFERED_BYTES: '16384',
  TRUST_PROXY_HOPS: '1',
  HELLO_TIMEOUT_MS: '60000',
  PRESENCE_INTERVAL_MS: '60000',
});

let addressCount = 0;
/** A client address of its own (as the proxy in front reports it), so the per-IP cap stays out of the way. */
function freshAddress(): string {
  addressCount += 1;
  return `198.51.100.${addressCount}`;
}
const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });

async function connect(user: Pick<TestUser, 'initData'>, address = freshAddress()): Promise<TestClient> {
  return suite.track(await TestClient.ready(suite.gw.url, user.initData, from(address)));
}

async function open(address: string): Promise<TestClient> {
  return suite.track(await TestClient.open(suite.gw.url, from(address)));
}

/** The upgrade is refused before any WebSocket exists: the HTTP status the client saw. */
async function refusedStatus(address: string): Promise<string> {
  const client = new TestClient(suite.gw.url, from(address));
  suite.track(client);
  await client.closed();
  return client.error ?? 'not refused';
}

async function refusals(reason: string): Promise<number> {
  const { values } = await suite.gw.gateway.metrics.refusals.get();
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('sockets per user (MAX_SOCKETS_PER_USER)', () => {
  it('refuses the hello of one socket too many with an error frame and 4429; others and freed slots are fine', async () => {
    const user = await makeUser(suite.world.uc, 'customer', 'Many');
    const sockets = [await connect(user), await connect(user), await connect(user)];
    const extra = suite.track(await TestClient.open(suite.gw.url, from(freshAddress())));
    extra.send({ type: 'hello', initData: user.initData });
    expect(await extra.closed()).toBe(4429);
    expect(extra.frames).toEqual([
      { type: 'error', code: 'too_many_sockets', message: expect.stringContaining('3 sockets per user') },
    ]);
    expect(await refusals('user_sockets')).toBe(1);
    // Another user is not affected; the user's own sockets still work.
    await connect(await makeUser(suite.world.uc, 'customer', 'Other'));
    sockets[0]?.send({ type: 'ping' });
    await sockets[0]?.next((f) => f.type === 'pong');
    // A closed socket frees its slot.
    sockets[1]?.close();
    await sockets[1]?.closed();
    await eventually(async () => {
      const again = await TestClient.open(suite.gw.url, from(freshAddress()));
      suite.track(again);
      again.send({ type: 'hello', initData: user.initData });
      await again.next((f) => f.type === 'ready', 0, 1000);
    });
  });
});

describe('sockets per client address (MAX_SOCKETS_PER_IP)', () => {
  it('refuses the upgrade past the cap with HTTP 429, counting sockets before and after hello', async () => {
    const address = '203.0.113.7';
    const user = await makeUser(suite.world.uc, 'customer', 'Shared');
    const held = [
      await open(address),
      await open(address),
      await connect(user, address),
      await open(address),
    ];
    expect(await refusedStatus(address)).toBe('Unexpected server response: 429');
    // Entries the client wrote itself (left of what the proxy appended) do not change the key.
    expect(await refusedStatus(`10.9.8.7, ${address}`)).toBe('Unexpected server response: 429');
    expect(await refusals('ip_sockets')).toBe(2);
    // Another address is fine; a closed socket frees a slot for its address.
    await open('203.0.113.8');
    held[0]?.close();
    await held[0]?.closed();
    await eventually(async () => {
      await open(address);
    });
  });
});

describe('subscriptions per socket (MAX_SUBSCRIPTIONS_PER_SOCKET)', () => {
  it('answers too_many_subscriptions past the cap and keeps the socket; the queue counts, repeats do not', async () => {
    const agent = await makeUser(suite.world.uc, 'agent', 'Busy');
    const customer = await makeUser(suite.world.uc, 'customer', 'Ann');
    const [t1, t2, t3, t4] = [
      await makeTicket(suite.world.uc, customer),
      await makeTicket(suite.world.uc, customer),
      await makeTicket(suite.world.uc, customer),
      await makeTicket(suite.world.uc, customer),
    ];
    const client = await connect(agent);
    expect(await client.subscribe('queue')).toMatchObject({ type: 'subscribed' });
    expect(await client.subscribe(`ticket:${t1?.id}`)).toMatchObject({ type: 'subscribed' });
    expect(await client.subscribe(`ticket:${t2?.id}`)).toMatchObject({ type: 'subscribed' });
    expect(await client.subscribe(`ticket:${t3?.id}`)).toEqual({
      type: 'error',
      code: 'too_many_subscriptions',
      topic: `ticket:${t3?.id}`,
      message: expect.stringContaining('3 topics per socket'),
    });
    expect(await refusals('subscriptions')).toBe(1);
    // Subscribing again to a followed topic (a resume) is not a new one.
    expect(await client.subscribe(`ticket:${t1?.id}`, 0)).toMatchObject({ type: 'subscribed' });
    expect(await client.subscribe('queue')).toMatchObject({ type: 'subscribed' });
    // Unsubscribing frees a place.
    client.send({ type: 'unsubscribe', topic: `ticket:${t2?.id}` });
    expect(await client.subscribe(`ticket:${t4?.id}`)).toMatchObject({ type: 'subscribed' });
    expect(client.closeCode).toBeNull();
  });
});

describe('paged replay', () => {
  it('completes a resume of 5,000 events, in order and exactly once, without closing a slow reader', async () => {
    const customer = await makeUser(suite.world.uc, 'customer', 'Reader');
    const ticket = await makeTicket(suite.world.uc, customer);
    // About 21 MB: more than loopback's kernel buffers hold while the reader pauses.
    await appendEvents(suite.world, ticket.id, 5000, 4000);
    const last = (await suite.world.uc.findTicket(ticket.id))?.lastSeq ?? 0;
    expect(last).toBeGreaterThan(5000);
    const client = await connect(customer);
    // A slow reader: it takes nothing off the wire for a while, then reads on.
    const tcp = (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    client.send({ type: 'subscribe', topic: `ticket:${ticket.id}`, after: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    tcp.resume();
    await eventually(() => expect(client.events().at(-1)?.seq).toBe(last), 30_000);
    expect(client.events().map((e) => e.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(client.closeCode).toBeNull();
    const { values } = await suite.gw.gateway.metrics.closes.get();
    expect(values.find((v) => v.labels.reason === 'slow_consumer')).toBeUndefined();
  });

  it('still closes a reader that takes nothing while live events pile up (bounded buffer)', async () => {
    const customer = await makeUser(suite.world.uc, 'customer', 'Stuck');
    const ticket = await makeTicket(suite.world.uc, customer);
    const client = await connect(customer);
    await client.subscribe(`ticket:${ticket.id}`);
    const tcp = (client.socket as unknown as { _socket: { pause(): void } })._socket;
    tcp.pause();
    // Live events (already in the log), about 20 MB: more than loopback's kernel buffers hold. Published in
    // order on one connection, as the writers would.
    const from = ticket.lastSeq;
    await appendEvents(suite.world, ticket.id, 5000, 4000);
    for (let after = from; after < from + 5000; after += 500) {
      const page = await suite.world.uc.readEvents(ticket.id, after, 500);
      await Promise.all(page.map((event) => suite.world.bus.publish({ kind: 'event', event })));
    }
    await eventually(async () => {
      const { values } = await suite.gw.gateway.metrics.closes.get();
      expect(values.find((v) => v.labels.reason === 'slow_consumer')?.value).toBeGreaterThan(0);
    }, 20_000);
  });
});
