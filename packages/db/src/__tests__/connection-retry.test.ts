import { startTcpProxy, type TcpProxy } from '@tikethet/testkit';
import { sql } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { createDb, type DbClient } from '../client';
import { isConnectionError, withConnectionRetry } from '../retry';
import { createUseCases } from '../use-cases';
import { type DbFixture, makeUser, RecordingBus, setupDb } from './helpers';

/** Terminated backends (pg_terminate_backend, a restarted server) must not turn into failed requests. */
let f: DbFixture;
let proxy: TcpProxy;
let viaProxy: DbClient;
beforeAll(async () => {
  f = await setupDb('retry');
  const url = new URL(f.database.url);
  proxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port || 5432) } });
  viaProxy = createDb(proxy.url(f.database.url), { max: 4, applicationName: 'tikethet-retry-test' });
});
afterAll(async () => {
  await viaProxy.close();
  await proxy.close();
  await f.close();
});

it('retries a write and a read whose connection was terminated', async () => {
  const uc = createUseCases({ db: viaProxy.db, bus: new RecordingBus() });
  const customer = await makeUser(f.uc);
  const { ticket } = await uc.createTicket(customer, { subject: 'Retry', body: 'x' });

  // Every pooled connection of this client is now idle in the pool: terminate them all on the server.
  await f.client.db.execute(
    sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'tikethet-retry-test'`,
  );
  const posted = await uc.postMessage(customer, ticket.id, { body: 'after terminate' });
  expect(posted.message.seq).toBe(3);
  await f.client.db.execute(
    sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'tikethet-retry-test'`,
  );
  expect((await uc.listMessages(customer, ticket.id)).map((m) => m.body)).toEqual(['x', 'after terminate']);
  // Connections reset mid-flight by the network.
  proxy.killConnections();
  const again = await uc.postMessage(customer, ticket.id, {
    body: 'after reset',
    clientMessageId: 'reset-1',
  });
  expect(again.message.seq).toBe(4);
  expect((await f.uc.readEvents(ticket.id, 0)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  // Every connection went back to the pool or was destroyed: none leaked by a failed BEGIN.
  await uc.flush();
  expect(viaProxy.db.$client.totalCount).toBe(viaProxy.db.$client.idleCount);
});

it('classifies connection failures, not statement errors', () => {
  expect(
    isConnectionError(
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ),
  ).toBe(true);
  expect(isConnectionError(new Error('x', { cause: new Error('Connection terminated unexpectedly') }))).toBe(
    true,
  );
  expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
});

it('reads the driver error under a failed query, not the values in its message', async () => {
  // A customer wrote "ECONNRESET": the failed statement's message carries it among its params.
  const wrapped = new DrizzleQueryError(
    'insert into messages (body) values ($1)',
    ['my router says ECONNRESET'],
    Object.assign(new Error('value too long for type character varying(10)'), { code: '22001' }),
  );
  expect(wrapped.message).toContain('ECONNRESET');
  expect(isConnectionError(wrapped)).toBe(false);
  let calls = 0;
  await expect(
    withConnectionRetry(async () => {
      calls += 1;
      throw wrapped;
    }),
  ).rejects.toBe(wrapped);
  expect(calls).toBe(1);
});
