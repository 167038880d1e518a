import { type DbFixture, makeUser, setupDb } from './helpers';

/** Issue 16: a ticket's forum topic, its mirror's lock and bookkeeping, and who reads it. */
let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('ticket_topics');
});
afterAll(async () => {
  await f.close();
});

const FORUM = -1005550001;

it('keeps one topic row per ticket, shows it to staff only, and forgets a lost thread once', async () => {
  const customer = await makeUser(f.uc, 'customer', 'Анна');
  const agent = await makeUser(f.uc, 'agent', 'Олег');
  const { ticket } = await f.uc.createTicket(customer, { subject: 'S', body: 'B' });

  const first = await f.uc.transaction((tx) => tx.lockTopicMirror(ticket.id, FORUM, 0));
  expect(first).toMatchObject({ fresh: true, threadId: null, mirroredSeq: 0, closed: false, lost: false });
  const again = await f.uc.transaction((tx) => tx.lockTopicMirror(ticket.id, FORUM, 5));
  expect(again).toMatchObject({ fresh: false, mirroredSeq: 0 });
  await f.uc.transaction((tx) =>
    tx.saveTopicMirror(ticket.id, { mirroredSeq: 2, name: '#1 S', closed: true }),
  );
  expect((await f.uc.getTicket(agent, ticket.id)).topic).toBeNull();

  await f.uc.transaction((tx) =>
    tx.recordTopicCreated({ ticketId: ticket.id, chatId: FORUM, threadId: 77, name: '#1 S' }),
  );
  expect(await f.uc.findTicketTopic(ticket.id)).toMatchObject({
    threadId: 77,
    mirroredSeq: 2,
    closed: false,
  });
  expect((await f.uc.getTicket(agent, ticket.id)).topic).toEqual({ chatId: FORUM, threadId: 77 });
  // The customer's answer never names the agents' group.
  expect(await f.uc.getTicket(customer, ticket.id)).not.toHaveProperty('topic');
  expect(await f.uc.findTopicByThread(FORUM, 77)).toBe(ticket.id);
  expect(await f.uc.findTopicByThread(FORUM, 78)).toBeNull();

  expect(await f.uc.transaction((tx) => tx.forgetTopicThread(ticket.id, 77))).toBe(true);
  expect(await f.uc.transaction((tx) => tx.forgetTopicThread(ticket.id, 77))).toBe(false);
  expect(await f.uc.findTicketTopic(ticket.id)).toMatchObject({ threadId: null, lost: true });
  expect(await f.uc.findTopicByThread(FORUM, 77)).toBeNull();
});

it('takes concurrent mirror passes of one ticket in turn', async () => {
  const customer = await makeUser(f.uc, 'customer');
  const { ticket } = await f.uc.createTicket(customer, { subject: 'S', body: 'B' });
  const order: string[] = [];
  await Promise.all(
    ['a', 'b', 'c'].map((name) =>
      f.uc.transaction(async (tx) => {
        const topic = await tx.lockTopicMirror(ticket.id, FORUM, 0);
        order.push(`${name}:${topic.mirroredSeq}`);
        await new Promise((r) => setTimeout(r, 30));
        await tx.saveTopicMirror(ticket.id, {
          mirroredSeq: topic.mirroredSeq + 1,
          name: null,
          closed: false,
        });
      }),
    ),
  );
  // Each pass saw the one before it: 0, 1, 2 in some order of passes.
  expect(order.map((o) => o.split(':')[1]).sort()).toEqual(['0', '1', '2']);
});

it('finds staff by @username, case-insensitive, and never a customer', async () => {
  const admin = await makeUser(f.uc, 'admin');
  await f.uc.upsertUser({ id: 880001, first_name: 'Vera', username: 'VeraSupport' });
  await f.uc.setRole(admin, 880001, 'agent');
  await f.uc.upsertUser({ id: 880002, first_name: 'Cust', username: 'just_customer' });
  expect(await f.uc.findStaffByUsername('@verasupport')).toMatchObject({ id: 880001, role: 'agent' });
  expect(await f.uc.findStaffByUsername('just_customer')).toBeNull();
});

it('finds the seq of the event that created a message, on that ticket only', async () => {
  const customer = await makeUser(f.uc, 'customer');
  const { ticket, message } = await f.uc.createTicket(customer, { subject: 'S', body: 'first' });
  const { message: second } = await f.uc.postMessage(customer, ticket.id, { body: 'second' });
  const other = await f.uc.createTicket(customer, { subject: 'T', body: 'other' });
  const created = await f.uc.readEvents(ticket.id, 0, 100);
  const seqOf = (id: number) =>
    created.find((e) => e.type === 'message.created' && e.data.message.id === id)?.seq ?? null;
  expect(await f.uc.findMessageCreatedSeq(ticket.id, message.id)).toBe(seqOf(message.id));
  expect(await f.uc.findMessageCreatedSeq(ticket.id, second.id)).toBe(seqOf(second.id));
  expect(await f.uc.findMessageCreatedSeq(ticket.id, second.id)).toBeGreaterThan(1);
  expect(await f.uc.findMessageCreatedSeq(other.ticket.id, second.id)).toBeNull();
});
