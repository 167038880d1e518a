import { type DbFixture, makeUser, setupDb } from './helpers';

/** getTicket reads through prepared statements on the pool and ad hoc inside a transaction: same answer. */
let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('ticket_detail');
});
afterAll(async () => {
  await f.close();
});

it('answers the same on the pool (prepared) and in a transaction, with and without an assignee', async () => {
  const customer = await makeUser(f.uc, 'customer', 'Анна');
  const agent = await makeUser(f.uc, 'agent', 'Олег');
  const { ticket } = await f.uc.createTicket(customer, { subject: 'S', body: 'B' });
  const unassigned = await f.uc.getTicket(agent, ticket.id);
  expect(unassigned).toMatchObject({
    id: ticket.id,
    assignee: null,
    customer: { id: customer.id, ticketCount: 1 },
  });
  expect(await f.uc.transaction((t) => t.getTicket(agent, ticket.id))).toEqual(unassigned);
  await f.uc.claimTicket(agent, ticket.id);
  const assigned = await f.uc.getTicket(customer, ticket.id);
  expect(assigned.assignee).toMatchObject({ id: agent.id, role: 'agent' });
  expect(assigned.customer).toMatchObject({ id: customer.id, firstName: 'Анна', averageRating: null });
  expect(await f.uc.transaction((t) => t.getTicket(customer, ticket.id))).toEqual(assigned);
  // Many concurrent reads share the prepared statements across pool connections.
  const many = await Promise.all(Array.from({ length: 40 }, () => f.uc.getTicket(agent, ticket.id)));
  // Staff also read the ticket's forum topic (none here); a customer's answer has no such field.
  expect(assigned).not.toHaveProperty('topic');
  for (const detail of many) expect(detail).toEqual({ ...assigned, topic: null });
  const other = await makeUser(f.uc, 'customer');
  await expect(f.uc.getTicket(other, ticket.id)).rejects.toMatchObject({ code: 'not_found' });
  await expect(f.uc.getTicket(agent, 999_999)).rejects.toMatchObject({ code: 'not_found' });
});
