// The checker must see what it is there to see: `node --test e2e/soak/lib/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAcknowledged, checkBot, checkSockets } from './verify.mjs';

function logOf(frames) {
  const log = { counts: new Map(), last: 0, outOfOrder: 0, internal: [] };
  for (const [seq, internal] of frames) {
    log.counts.set(seq, (log.counts.get(seq) ?? 0) + 1);
    if (seq <= log.last) log.outOfOrder += 1;
    else log.last = seq;
    if (internal) log.internal.push(seq);
  }
  return log;
}

const record = {
  eventsByTicket: new Map([
    [
      1,
      [
        { seq: 1, internal: false },
        { seq: 2, internal: true },
        { seq: 3, internal: false },
      ],
    ],
  ]),
  ticketsByCustomer: new Map([[10, [1]]]),
  customerOf: new Map([[1, 10]]),
  messages: [
    { ticketId: 1, kind: 'customer', body: 'more baaaaaaaaaaaa', clientMessageId: 'c1' },
    { ticketId: 1, kind: 'agent', body: 'reply rbbbbbbbbbbbb', clientMessageId: 'x' },
    { ticketId: 1, kind: 'note', body: 'note ncccccccccccc', clientMessageId: 'y' },
  ],
};

const customer = (frames) => ({ user: { id: 10 }, ws: { logs: new Map([['ticket:1', logOf(frames)]]) } });
const agent = (frames) => ({ user: { id: 20 }, ws: { logs: new Map([['ticket:1', logOf(frames)]]) } });

test('a complete, ordered, filtered stream passes', () => {
  const r = checkSockets(record, [customer([[1], [3]])], [agent([[1], [2, true], [3]])]);
  assert.deepEqual(
    [r.missing, r.duplicates, r.outOfOrder, r.unexpected, r.internalToCustomers],
    [0, 0, 0, 0, 0],
  );
  assert.equal(r.expected, 5);
});

test('loss, duplicates, disorder and internal leaks are counted', () => {
  assert.equal(checkSockets(record, [customer([[1]])], []).missing, 1);
  const twice = checkSockets(record, [customer([[1], [3], [3]])], []);
  assert.equal(twice.duplicates, 1);
  assert.equal(twice.outOfOrder, 1);
  assert.equal(checkSockets(record, [customer([[1], [2, true], [3]])], []).internalToCustomers, 1);
  assert.equal(checkSockets(record, [], [agent([[1], [3]])]).missing, 1);
  assert.equal(checkSockets(record, [{ user: { id: 10 }, ws: { logs: new Map() } }], []).unfollowed, 2);
});

test('bot: lost texts, unsent or doubled replies and notes to customers are counted', () => {
  const send = (text) => ({ method: 'sendMessage', ok: true, params: { chat_id: 10, text } });
  const fake = (calls) => ({ calls, pendingUpdates: () => [] });
  const botCustomer = (sent) => ({ user: { id: 10 }, sent });
  const good = checkBot(record, [botCustomer(['baaaaaaaaaaaa'])], fake([send('#1 reply rbbbbbbbbbbbb')]));
  assert.deepEqual(
    [good.textsLost, good.repliesUnsent, good.repliesSentTwice, good.notesToCustomers],
    [0, 0, 0, 0],
  );
  assert.equal(checkBot(record, [botCustomer(['bdddddddddddd'])], fake([])).textsLost, 1);
  assert.equal(checkBot(record, [botCustomer([])], fake([])).repliesUnsent, 1);
  const twice = fake([send('rbbbbbbbbbbbb'), send('rbbbbbbbbbbbb'), send('ncccccccccccc')]);
  const bad = checkBot(record, [botCustomer([])], twice);
  assert.equal(bad.repliesSentTwice, 1);
  assert.equal(bad.notesToCustomers, 1);
});

test('an acknowledged write missing from the record is counted', () => {
  const acked = [
    { ticketId: 1, clientMessageId: 'c1' },
    { ticketId: 1, clientMessageId: 'c2' },
  ];
  assert.deepEqual(checkAcknowledged(record, [{ acked }]), { acked: 2, lost: 1 });
});
