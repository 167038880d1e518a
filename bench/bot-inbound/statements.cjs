#!/usr/bin/env node
// Where a batch's time goes: calls the db use-case `ingestCustomerTexts` directly (no HTTP, no telegraf) with
// sequential batches of B plain texts from 500 customers who already have a ticket, and times every
// statement of the batch transaction on the client. Needs `pnpm build` and PostgreSQL (TEST_DATABASE_URL).
// Usage: node bench/bot-inbound/statements.cjs [batchSize=64] [batches=200]
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const req = (p) => require(path.join(root, p));
const { createDb, runMigrations, createUseCases } = req('packages/db/dist/index.js');
const { createBus } = req('packages/bus/dist/index.js');
const testkit = req('packages/testkit/dist/index.js');

const B = Number(process.argv[2] ?? 64);
const BATCHES = Number(process.argv[3] ?? 200);
const USERS = 500;

async function main() {
  const database = await testkit.createTestDatabase('bench_statements');
  await runMigrations(database.url);
  const db = createDb(database.url, { max: 2 });
  const bus = createBus({});
  const uc = createUseCases({ db: db.db, bus });
  const times = new Map();
  db.db.$client.on('connect', (client) => {
    const query = client.query.bind(client);
    client.query = (...args) => {
      const text = (typeof args[0] === 'string' ? args[0] : args[0].text).replace(/\s+/g, ' ').slice(0, 40);
      const t0 = process.hrtime.bigint();
      const result = query(...args);
      result?.then?.(
        () => {
          const entry = times.get(text) ?? { n: 0, ms: 0 };
          entry.n += 1;
          entry.ms += Number(process.hrtime.bigint() - t0) / 1e6;
          times.set(text, entry);
        },
        () => undefined,
      );
      return result;
    };
  });
  for (let u = 0; u < USERS; u += 1) {
    const id = 900000000 + u;
    await uc.upsertUser({ id, first_name: `U${id}` });
    await uc.createTicket({ id, role: 'customer' }, { subject: 'First', body: 'First problem' });
  }
  times.clear();
  let updateId = 1;
  let processed = 0;
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b += 1) {
    const items = Array.from({ length: B }, (_, i) => {
      const id = 900000000 + ((b * B + i) % USERS);
      updateId += 1;
      return {
        updateId,
        profile: { id, first_name: `U${id}`, language_code: 'en' },
        chatId: id,
        telegramMessageId: updateId,
        body: `Benchmark message ${updateId}\nwith a second line`,
        pendingKey: `bot:new:${id}`,
      };
    });
    const outcomes = await uc.ingestCustomerTexts(items);
    processed += outcomes.filter((o) => o === 'processed').length;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(
    `${processed} texts in ${BATCHES} batches of ${B}: ${Math.round((processed / ms) * 1000)}/s\n`,
  );
  const rows = [...times].sort((a, b) => b[1].ms - a[1].ms);
  for (const [text, { n, ms: total }] of rows) {
    process.stdout.write(
      `${(total / n).toFixed(3).padStart(8)} ms/batch ${((total / n / B) * 1000).toFixed(1).padStart(7)} µs/text  ${text}\n`,
    );
  }
  await uc.flush();
  await bus.close();
  await db.close();
  await database.drop();
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
