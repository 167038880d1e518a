'use strict';
// The bot-inbound reference (issue #18): telegraf with a naive durable handler. Each text update is one
// transaction of plain statements writing what the bot writes for it — the update_id claimed, the sender
// upserted, their latest open ticket locked (or opened), the ticket bumped, the message, its message.created
// event with the message as JSON, the Telegram link — then the event published on Redis after commit.

const STATUSES = ['new', 'open', 'pending', 'resolved'];

/** A webhook handler for `noop`-style telegraf bots: returns the `on('message')` callback. */
function naiveHandler({ pool, redis, channel }) {
  return async (ctx) => {
    const m = ctx.message;
    if (!('text' in m)) return;
    const client = await pool.connect();
    let event;
    try {
      await client.query('begin');
      const claimed = await client.query(
        'insert into telegram_updates (update_id) values ($1) on conflict do nothing returning update_id',
        [ctx.update.update_id],
      );
      if (claimed.rowCount === 0) {
        await client.query('commit');
        return;
      }
      const from = m.from;
      const user = await client.query(
        `insert into users (id, first_name, last_name, username, language_code, role, bot_chat_id)
         values ($1, $2, $3, $4, $5, 'customer', $6)
         on conflict (id) do update set first_name = excluded.first_name, last_name = excluded.last_name,
           username = excluded.username, language_code = excluded.language_code,
           bot_chat_id = excluded.bot_chat_id, updated_at = now()
         returning id, first_name, role`,
        [
          from.id,
          from.first_name,
          from.last_name ?? null,
          from.username ?? null,
          from.language_code ?? null,
          m.chat.id,
        ],
      );
      const author = user.rows[0];
      let ticket = (
        await client.query(
          `select id, customer_id from tickets where customer_id = $1 and status = any($2::text[])
           order by last_message_at desc, id desc limit 1 for update`,
          [from.id, STATUSES],
        )
      ).rows[0];
      if (!ticket) {
        ticket = (
          await client.query(
            `insert into tickets (customer_id, subject, source, last_seq, last_message_preview)
             values ($1, $2, 'bot', 0, $2) returning id, customer_id`,
            [from.id, m.text.slice(0, 120)],
          )
        ).rows[0];
      }
      const bumped = await client.query(
        `update tickets set last_seq = last_seq + 1, updated_at = now(), last_message_at = now(),
           last_message_preview = $2 where id = $1 returning last_seq`,
        [ticket.id, m.text.slice(0, 140)],
      );
      const seq = bumped.rows[0].last_seq;
      const row = (
        await client.query(
          `insert into messages (ticket_id, seq, kind, author_id, body, via, delivery)
           values ($1, $2, 'customer', $3, $4, 'bot', 'none') returning id, created_at`,
          [ticket.id, seq, from.id, m.text],
        )
      ).rows[0];
      const message = {
        id: row.id,
        ticketId: ticket.id,
        seq,
        kind: 'customer',
        internal: false,
        authorId: from.id,
        author: { id: from.id, name: author.first_name, role: author.role },
        body: m.text,
        originalBody: null,
        clientMessageId: null,
        via: 'bot',
        delivery: 'none',
        createdAt: row.created_at.toISOString(),
        editedAt: null,
        attachments: [],
      };
      const stored = await client.query(
        `insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data)
         values ($1, $2, 'message.created', $3, false, $4, $5) returning id, created_at`,
        [ticket.id, seq, ticket.customer_id, from.id, JSON.stringify({ message })],
      );
      await client.query(
        `insert into telegram_messages (chat_id, telegram_message_id, ticket_id, message_id)
         values ($1, $2, $3, $4) on conflict do nothing`,
        [m.chat.id, m.message_id, ticket.id, row.id],
      );
      await client.query('commit');
      event = {
        id: stored.rows[0].id,
        type: 'message.created',
        ticketId: ticket.id,
        seq,
        customerId: ticket.customer_id,
        internal: false,
        actorId: from.id,
        data: { message },
        createdAt: stored.rows[0].created_at.toISOString(),
      };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await redis.publish(channel, JSON.stringify({ kind: 'event', event }));
  };
}

module.exports = { naiveHandler };
