import { eventually } from '@tikethet/testkit';
import {
  makeTicket,
  makeUser,
  type RunningGateway,
  startGateway,
  startWorld,
  type TestUser,
  type World,
} from './helpers/fixture';
import { TestClient } from './helpers/test-client';

let world: World;
let gw1: RunningGateway;
let gw2: RunningGateway;
let customer: TestUser;
let agent: TestUser;
const clients: TestClient[] = [];

async function connect(gw: RunningGateway, user: TestUser): Promise<TestClient> {
  const client = await TestClient.ready(gw.url, user.initData);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  world = await startWorld('gateway_two');
  [gw1, gw2] = await Promise.all([startGateway(world), startGateway(world)]);
  customer = await makeUser(world.uc, 'customer', 'Ann');
  agent = await makeUser(world.uc, 'agent', 'Vera');
});

afterEach(() => {
  for (const c of clients.splice(0)) c.terminate();
});

afterAll(async () => {
  await Promise.all([gw1.close(), gw2.close()]);
  await world.close();
});

it('delivers a posted message to the customer on gateway 1 and the agent on gateway 2', async () => {
  const ticket = await makeTicket(world.uc, customer);
  const cust = await connect(gw1, customer);
  const staff = await connect(gw2, agent);
  await cust.subscribe(`ticket:${ticket.id}`);
  await staff.subscribe(`ticket:${ticket.id}`);
  const { message } = await world.uc.postMessage({ id: agent.id, role: 'agent' }, ticket.id, {
    body: 'Hello from Vera',
  });
  for (const client of [cust, staff]) {
    const frame = await client.next(
      (f) => f.type === 'event' && (f.event as { type: string }).type === 'message.created',
    );
    expect(frame).toMatchObject({
      topic: `ticket:${ticket.id}`,
      seq: message.seq,
      event: {
        ticketId: ticket.id,
        seq: message.seq,
        data: { message: { id: message.id, body: 'Hello from Vera' } },
      },
    });
  }
});

it('gives a client away while 100 messages were posted exactly those 100, in order, on resubscribe', async () => {
  const ticket = await makeTicket(world.uc, customer);
  const first = await connect(gw1, customer);
  await first.subscribe(`ticket:${ticket.id}`);
  const cursor = ticket.lastSeq;
  first.terminate();
  const actor = { id: customer.id, role: 'customer' as const };
  for (let i = 0; i < 100; i++) await world.uc.postMessage(actor, ticket.id, { body: `away ${i}` });
  const back = await connect(gw2, customer);
  await back.subscribe(`ticket:${ticket.id}`, cursor);
  await eventually(() => expect(back.events()).toHaveLength(100));
  const events = back.events();
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => cursor + 1 + i));
  expect(events.map((e) => (e.event.data as { message: { body: string } }).message.body)).toEqual(
    Array.from({ length: 100 }, (_, i) => `away ${i}`),
  );
  await world.uc.flush();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(back.events()).toHaveLength(100);
});

it('replays and goes live at once while writes race on both gateways, with no gap and no duplicate', async () => {
  const ticket = await makeTicket(world.uc, customer);
  const actor = { id: agent.id, role: 'agent' as const };
  const a = await connect(gw1, agent);
  const b = await connect(gw2, agent);
  const writes = Array.from({ length: 60 }, (_, i) =>
    world.uc.postMessage(actor, ticket.id, { body: `race ${i}` }),
  );
  a.send({ type: 'subscribe', topic: `ticket:${ticket.id}`, after: 0 });
  b.send({ type: 'subscribe', topic: `ticket:${ticket.id}`, after: 1 });
  await Promise.all(writes);
  const last = (await world.uc.findTicket(ticket.id))?.lastSeq ?? 0;
  await eventually(() => expect(a.events().at(-1)?.seq).toBe(last));
  await eventually(() => expect(b.events().at(-1)?.seq).toBe(last));
  expect(a.events().map((e) => e.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
  expect(b.events().map((e) => e.seq)).toEqual(Array.from({ length: last - 1 }, (_, i) => i + 2));
});

it('merges presence across gateways and relays typing between them', async () => {
  const ticket = await makeTicket(world.uc, customer);
  const colleague = await makeUser(world.uc, 'agent', 'Gleb');
  const staff1 = await connect(gw1, agent);
  const staff2 = await connect(gw2, colleague);
  const cust = await connect(gw2, customer);
  for (const c of [staff1, staff2, cust]) await c.subscribe(`ticket:${ticket.id}`);
  const ids = [agent.id, colleague.id, customer.id].sort();
  for (const staff of [staff1, staff2]) {
    await eventually(() => {
      const last = staff.frames.filter((f) => f.type === 'presence').at(-1);
      expect(((last?.viewers ?? []) as Array<{ id: number }>).map((v) => v.id).sort()).toEqual(ids);
    });
  }
  cust.send({ type: 'typing', ticketId: ticket.id });
  expect(await staff1.next((f) => f.type === 'typing')).toMatchObject({ user: { id: customer.id } });
  staff1.send({ type: 'typing', ticketId: ticket.id, internal: true });
  await staff2.next((f) => f.type === 'typing' && (f.user as { id: number }).id === agent.id);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(cust.frames.some((f) => f.type === 'typing' || f.type === 'presence')).toBe(false);
});
