// What Postgres (the record) says happened: events per ticket, tickets, messages.
export async function loadRecord(pool) {
  const [events, tickets, messages] = await Promise.all([
    pool.query('select ticket_id, seq, internal, type from events order by ticket_id, seq'),
    pool.query('select id, customer_id, source from tickets'),
    pool.query('select ticket_id, kind, body, client_message_id, created_at from messages'),
  ]);
  const eventsByTicket = new Map();
  for (const row of events.rows) {
    const list = eventsByTicket.get(row.ticket_id) ?? [];
    list.push({ seq: row.seq, internal: row.internal, type: row.type });
    eventsByTicket.set(row.ticket_id, list);
  }
  const ticketsByCustomer = new Map();
  const customerOf = new Map();
  for (const row of tickets.rows) {
    const customer = Number(row.customer_id);
    customerOf.set(row.id, customer);
    const list = ticketsByCustomer.get(customer) ?? [];
    list.push(row.id);
    ticketsByCustomer.set(customer, list);
  }
  return {
    eventsByTicket,
    ticketsByCustomer,
    customerOf,
    eventCount: events.rows.length,
    ticketCount: tickets.rows.length,
    messages: messages.rows.map((row) => ({
      ticketId: row.ticket_id,
      kind: row.kind,
      body: row.body,
      clientMessageId: row.client_message_id,
      createdAt: new Date(row.created_at).getTime(),
    })),
  };
}
