// Checks every client's holdings and the bot's sends against the record.

function compareTopic(log, expected, result, who, topic) {
  const expectedSeqs = new Set(expected.map((e) => e.seq));
  const internalSeqs = new Set();
  result.expected += expected.length;
  if (!log) {
    result.unfollowed += expected.length;
    if (result.examples.length < 10 && expected.length > 0)
      result.examples.push(`${who} never followed ${topic}`);
    return;
  }
  for (const { seq } of expected) {
    const count = log.counts.get(seq) ?? 0;
    if (count === 0) {
      result.missing += 1;
      if (result.examples.length < 10) result.examples.push(`${who} misses ${topic} seq ${seq}`);
    } else if (count > 1) {
      result.duplicates += count - 1;
      if (result.examples.length < 10) result.examples.push(`${who} holds ${topic} seq ${seq} ×${count}`);
    }
  }
  result.held += [...log.counts.values()].reduce((a, b) => a + b, 0);
  for (const seq of log.internal) internalSeqs.add(seq);
  for (const seq of log.counts.keys()) {
    if (!expectedSeqs.has(seq) && !internalSeqs.has(seq)) {
      result.unexpected += 1;
      if (result.examples.length < 10)
        result.examples.push(`${who} holds ${topic} seq ${seq} it may not see`);
    }
  }
  result.outOfOrder += log.outOfOrder;
  return internalSeqs;
}

/** Exactly-once delivery to sockets: customers get their tickets' public events, agents all of theirs. */
export function checkSockets(record, restCustomers, agents) {
  const result = {
    expected: 0,
    held: 0,
    missing: 0,
    duplicates: 0,
    unexpected: 0,
    outOfOrder: 0,
    unfollowed: 0,
    internalToCustomers: 0,
    examples: [],
  };
  for (const customer of restCustomers) {
    for (const ticketId of record.ticketsByCustomer.get(customer.user.id) ?? []) {
      const topic = `ticket:${ticketId}`;
      const all = record.eventsByTicket.get(ticketId) ?? [];
      const log = customer.ws.logs.get(topic);
      compareTopic(
        log,
        all.filter((e) => !e.internal),
        result,
        `customer ${customer.user.id}`,
        topic,
      );
      if (log) result.internalToCustomers += log.internal.length;
    }
  }
  for (const agent of agents) {
    for (const [topic, log] of agent.ws.logs) {
      const ticketId = Number(topic.slice('ticket:'.length));
      compareTopic(log, record.eventsByTicket.get(ticketId) ?? [], result, `agent ${agent.user.id}`, topic);
    }
  }
  return result;
}

const tokenOf = (body) => /\b([rnbc][0-9a-f]{12})\b/.exec(body)?.[1];

/**
 * The bot: every text a Telegram customer sent became exactly one message; every agent reply on their
 * tickets went to their chat exactly once; no note ever went to a customer's chat.
 */
export function checkBot(record, botCustomers, fake) {
  const result = {
    textsSent: 0,
    textsRecorded: 0,
    textsLost: 0,
    textsDoubled: 0,
    replies: 0,
    repliesSentOnce: 0,
    repliesUnsent: 0,
    repliesSentTwice: 0,
    notesToCustomers: 0,
    updatesPending: fake.pendingUpdates().length,
    /** Commit-to-sendMessage delay (ms) of each agent reply to a Telegram customer. */
    replyDelays: [],
    examples: [],
  };
  const botIds = new Set(botCustomers.map((c) => c.user.id));
  const bodyCount = new Map();
  for (const message of record.messages) {
    if (message.kind !== 'customer') continue;
    const token = tokenOf(message.body);
    if (token) bodyCount.set(token, (bodyCount.get(token) ?? 0) + 1);
  }
  for (const customer of botCustomers) {
    for (const tag of customer.sent) {
      result.textsSent += 1;
      const count = bodyCount.get(tag) ?? 0;
      if (count === 0) {
        result.textsLost += 1;
        if (result.examples.length < 10)
          result.examples.push(`bot text ${tag} of ${customer.user.id} not recorded`);
      } else {
        result.textsRecorded += 1;
        if (count > 1) result.textsDoubled += count - 1;
      }
    }
  }
  const sendsByToken = new Map();
  const firstSendAt = new Map();
  for (const call of fake.calls) {
    if (call.method !== 'sendMessage' || call.ok !== true) continue;
    const chatId = Number(call.params.chat_id);
    if (!botIds.has(chatId)) continue;
    for (const match of String(call.params.text ?? '').matchAll(/\b([rn][0-9a-f]{12})\b/g)) {
      const key = `${chatId}:${match[1]}`;
      sendsByToken.set(key, (sendsByToken.get(key) ?? 0) + 1);
      if (!firstSendAt.has(key)) firstSendAt.set(key, call.at);
    }
  }
  for (const message of record.messages) {
    const customer = record.customerOf.get(message.ticketId);
    if (!botIds.has(customer)) continue;
    const token = tokenOf(message.body);
    if (!token) continue;
    const sends = sendsByToken.get(`${customer}:${token}`) ?? 0;
    if (message.kind === 'note') {
      result.notesToCustomers += sends;
      continue;
    }
    if (message.kind !== 'agent') continue;
    result.replies += 1;
    const sentAt = firstSendAt.get(`${customer}:${token}`);
    if (sentAt !== undefined && message.createdAt) result.replyDelays.push(sentAt - message.createdAt);
    if (sends === 1) result.repliesSentOnce += 1;
    else if (sends === 0) {
      result.repliesUnsent += 1;
      if (result.examples.length < 10) result.examples.push(`reply ${token} never sent to chat ${customer}`);
    } else {
      result.repliesSentTwice += sends - 1;
      if (result.examples.length < 10)
        result.examples.push(`reply ${token} sent ${sends}× to chat ${customer}`);
    }
  }
  return result;
}

/** Every write the API acknowledged is in the record. */
export function checkAcknowledged(record, restCustomers) {
  const ids = new Set(record.messages.map((m) => `${m.ticketId}:${m.clientMessageId}`));
  let acked = 0;
  let lost = 0;
  for (const customer of restCustomers) {
    for (const write of customer.acked) {
      acked += 1;
      if (!ids.has(`${write.ticketId}:${write.clientMessageId}`)) lost += 1;
    }
  }
  return { acked, lost };
}

export function settled(sockets, bot) {
  return (
    sockets.missing === 0 &&
    sockets.unfollowed === 0 &&
    bot.updatesPending === 0 &&
    bot.textsLost === 0 &&
    bot.repliesUnsent === 0
  );
}
