import { eventually } from '@tikethet/testkit';
import { makeTicket, makeUser, type TestUser } from './helpers/fixture';
import { gatewaySuite } from './helpers/suite';

/**
 * A merge over the socket (issue 19): whoever follows the merged ticket is told where it went (a
 * `ticket.updated` carrying `mergedIntoId`), followers of the survivor get the moved messages once each, in
 * order, and a customer never gets a moved internal note nor anything of the team's note about them.
 */
const suite = gatewaySuite('gateway_merge', { PRESENCE_INTERVAL_MS: '60000' });
let customer: TestUser;
let agent: TestUser;

beforeAll(async () => {
  customer = await makeUser(suite.world.uc, 'customer', 'Ann');
  agent = await makeUser(suite.world.uc, 'agent', 'Vera');
});

const bodyOf = (event: Record<string, unknown>) =>
  event.type === 'message.created' ? (event.data as { message: { body: string } }).message.body : null;

it('tells the merged ticket’s followers where it went and moves its messages to the survivor’s followers', async () => {
  const uc = suite.world.uc;
  const staffActor = { id: agent.id, role: 'agent' as const };
  const survivor = await makeTicket(uc, customer, 'Card declined');
  const duplicate = await makeTicket(uc, customer, 'Card declined again');
  await uc.postMessage({ id: customer.id, role: 'customer' }, duplicate.id, { body: 'second try failed' });
  await uc.postMessage(staffActor, duplicate.id, { body: 'fraud check flagged it', internal: true });
  await uc.updateCustomer(staffActor, customer.id, { note: 'Chargeback in 2024' });

  const cust = await suite.connect(customer);
  const staff = await suite.connect(agent);
  for (const client of [cust, staff]) {
    await client.subscribe(`ticket:${duplicate.id}`);
    await client.subscribe(`ticket:${survivor.id}`);
  }
  await uc.mergeTickets(staffActor, duplicate.id, survivor.id);

  for (const client of [cust, staff]) {
    await eventually(() =>
      expect(
        client
          .events(`ticket:${duplicate.id}`)
          .map((e) => e.event)
          .find((e) => e.type === 'ticket.updated'),
      ).toMatchObject({ data: { ticket: { mergedIntoId: survivor.id, status: 'closed' } } }),
    );
  }
  const moved = (client: typeof cust) =>
    client
      .events(`ticket:${survivor.id}`)
      .map((e) => e.event)
      .filter(
        (e) =>
          e.type === 'message.created' && (e.data as { mergedFrom?: number }).mergedFrom === duplicate.id,
      )
      .map(bodyOf);
  await eventually(() =>
    expect(moved(staff)).toEqual(['Help, please', 'second try failed', 'fraud check flagged it']),
  );
  await eventually(() => expect(moved(cust)).toEqual(['Help, please', 'second try failed']));
  await uc.flush();
  const seqs = staff.events(`ticket:${survivor.id}`).map((e) => e.seq);
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
  expect(JSON.stringify(cust.frames)).not.toContain('fraud check');
  expect(JSON.stringify(cust.frames)).not.toContain('Chargeback');
});
