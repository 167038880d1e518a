import { eventually } from '@tikethet/testkit';
import { makeTicket, makeUser, type TestUser } from './helpers/fixture';
import { gatewaySuite } from './helpers/suite';

/**
 * A role changed in Postgres without any `role_changed` on the bus (the publish was lost): the gateway's own
 * re-check of its live sockets' roles must still act within ROLE_RECHECK_MS.
 */
const RECHECK_MS = 300;

const suite = gatewaySuite('gateway_role_recheck', {
  ROLE_RECHECK_MS: String(RECHECK_MS),
  PRESENCE_INTERVAL_MS: '60000',
});
const connect = (user: TestUser) => suite.connect(user);
let customer: TestUser;

/** Changes a role behind the gateway's back: a plain UPDATE, nothing published. */
async function setRoleSilently(userId: number, role: string): Promise<void> {
  await suite.world.client.db.$client.query('update users set role = $2 where id = $1', [userId, role]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  customer = await makeUser(suite.world.uc, 'customer', 'Ann');
});

it('closes a demoted agent within the re-check interval though no role_changed was published', async () => {
  const agent = await makeUser(suite.world.uc, 'agent', 'Demoted');
  const ticket = await makeTicket(suite.world.uc, customer);
  const client = await connect(agent);
  expect(await client.subscribe('queue')).toMatchObject({ type: 'subscribed' });
  expect(await client.subscribe(`ticket:${ticket.id}`)).toMatchObject({ type: 'subscribed' });
  await setRoleSilently(agent.id, 'customer');
  const started = Date.now();
  expect(await client.closed()).toBe(4000);
  expect(Date.now() - started).toBeLessThan(RECHECK_MS * 3 + 1000);
  // Nothing written after the demotion reached the old socket: neither the note nor the queue.
  await suite.world.uc.postMessage({ id: customer.id, role: 'customer' }, ticket.id, { body: 'after' });
  await suite.world.uc.flush();
  expect(JSON.stringify(client.frames)).not.toContain('"after"');
  // Hello again: the new role, and the queue is refused.
  const again = await connect({ ...agent, role: 'customer' });
  expect(again.frames[0]).toMatchObject({ type: 'ready', user: { role: 'customer' } });
  expect(await again.subscribe('queue')).toMatchObject({ type: 'error', code: 'forbidden' });
});

it('stops an admin turned customer from receiving internal notes (ticket stream and queue)', async () => {
  const admin = await makeUser(suite.world.uc, 'admin', 'Boss');
  const colleague = await makeUser(suite.world.uc, 'agent', 'Writer');
  const ticket = await makeTicket(suite.world.uc, customer);
  const client = await connect(admin);
  await client.subscribe('queue');
  await client.subscribe(`ticket:${ticket.id}`);
  await setRoleSilently(admin.id, 'customer');
  await client.closed();
  await suite.world.uc.postMessage({ id: colleague.id, role: 'agent' }, ticket.id, {
    body: 'secret after demotion',
    internal: true,
  });
  await suite.world.uc.flush();
  await sleep(RECHECK_MS);
  expect(JSON.stringify(client.frames)).not.toContain('secret after demotion');
});

it('closes the sockets of a user whose row is gone', async () => {
  const agent = await makeUser(suite.world.uc, 'agent', 'Gone');
  const client = await connect(agent);
  await suite.world.client.db.$client.query('delete from users where id = $1', [agent.id]);
  expect(await client.closed()).toBe(4000);
});

it('leaves sockets whose role did not change alone, across several re-checks', async () => {
  const agent = await makeUser(suite.world.uc, 'agent', 'Steady');
  const other = await makeUser(suite.world.uc, 'agent', 'Promoted');
  const steady = await connect(agent);
  const promotedToAdmin = await connect(other);
  await steady.subscribe('queue');
  // A change that is not the steady agent's: only the promoted user's socket is closed.
  await setRoleSilently(other.id, 'admin');
  expect(await promotedToAdmin.closed()).toBe(4000);
  await sleep(RECHECK_MS * 4);
  expect(steady.closeCode).toBeNull();
  const ticket = await makeTicket(suite.world.uc, customer, 'Still queued');
  await eventually(() =>
    expect(steady.events('queue').some((e) => e.event.ticketId === ticket.id)).toBe(true),
  );
});

it('does not answer a later hello with a role kept from before a silent change', async () => {
  const agent = await makeUser(suite.world.uc, 'agent', 'Kept');
  const first = await connect(agent);
  first.close();
  await eventually(() => expect(suite.gw.gateway.connectionCount).toBe(0));
  // The user has no socket now, but the gateway keeps what it read for the next hellos (USER_KEEP_MS, 5 s).
  await setRoleSilently(agent.id, 'customer');
  await sleep(RECHECK_MS * 3);
  const again = await connect(agent);
  expect(again.frames[0]).toMatchObject({ type: 'ready', user: { role: 'customer' } });
  expect(await again.subscribe('queue')).toMatchObject({ type: 'error', code: 'forbidden' });
});
