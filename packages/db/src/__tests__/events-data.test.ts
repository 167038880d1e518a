import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { type DbFixture, makeUser, setupDb } from './helpers';

/** events.data holds the event's data as a JSON object, whichever path wrote it (SQL on it must see fields). */
let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('events_data');
});
afterAll(async () => {
  await f.close();
});

async function kinds(ticketId: number) {
  return (
    await f.client.db.execute(
      sql`select type, jsonb_typeof(data) as kind from events where ticket_id = ${ticketId} order by seq`,
    )
  ).rows;
}

it('every path stores an object: ticket created, a status change, messages written alone and in a transaction', async () => {
  const customer = await makeUser(f.uc);
  const agent = await makeUser(f.uc, 'agent');
  const { ticket } = await f.uc.createTicket(customer, { subject: 'Objects', body: 'first' });
  await f.uc.postMessage(customer, ticket.id, { body: 'one statement' });
  await f.uc.updateTicket(agent, ticket.id, { status: 'pending', version: ticket.version });
  await f.uc.postMessage(customer, ticket.id, { body: 'reopens: the full transaction' });
  const rows = await kinds(ticket.id);
  expect(rows.map((r) => r.type)).toEqual([
    'ticket.created',
    'message.created',
    'message.created',
    'ticket.updated',
    'message.created',
    'ticket.updated',
  ]);
  expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['object']));
});

it('migration 0005 turns data stored as a JSON string back into the object, and leaves objects alone', async () => {
  const customer = await makeUser(f.uc);
  const { ticket } = await f.uc.createTicket(customer, { subject: 'Repair', body: 'first' });
  const before = (
    await f.client.db.execute(sql`select data from events where ticket_id = ${ticket.id} and seq = 1`)
  ).rows[0]?.data;
  // As the old write path left it: the object's JSON text, stored as a jsonb string.
  await f.client.db.execute(
    sql`update events set data = to_jsonb(data::text) where ticket_id = ${ticket.id} and seq = 1`,
  );
  expect(await kinds(ticket.id)).toEqual([
    { type: 'ticket.created', kind: 'string' },
    { type: 'message.created', kind: 'object' },
  ]);
  const repair = readFileSync(path.join(__dirname, '../../drizzle/0005_events_data_objects.sql'), 'utf8');
  await f.client.db.$client.query(repair);
  expect(await kinds(ticket.id)).toEqual([
    { type: 'ticket.created', kind: 'object' },
    { type: 'message.created', kind: 'object' },
  ]);
  const after = (
    await f.client.db.execute(sql`select data from events where ticket_id = ${ticket.id} and seq = 1`)
  ).rows[0]?.data;
  expect(after).toEqual(before);
});
