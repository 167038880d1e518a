import pg from 'pg';
import { type PostgresReplicaPair, startPostgresReplicaPair } from './postgres-replica';

async function one(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

describe('startPostgresReplicaPair', () => {
  let pair: PostgresReplicaPair;
  beforeAll(async () => {
    pair = await startPostgresReplicaPair();
  }, 60_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it('streams the primary’s writes to a read-only replica, which can pause and resume', async () => {
    expect(pair.primaryPort).not.toBe(5432);
    await pair.primarySql('create table t (n int); insert into t values (1)');
    await pair.waitForReplay();
    expect(await one(pair.replicaUrl(), 'select count(*)::int as n from t')).toEqual({ n: 1 });
    await expect(one(pair.replicaUrl(), 'insert into t values (2)')).rejects.toThrow(/read-only/);

    await pair.pauseReplay();
    await pair.primarySql('insert into t values (3)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await one(pair.replicaUrl(), 'select count(*)::int as n from t')).toEqual({ n: 1 });
    await pair.resumeReplay();
    await pair.waitForReplay();
    expect(await one(pair.replicaUrl(), 'select count(*)::int as n from t')).toEqual({ n: 2 });

    await pair.stopReplica();
    await expect(one(pair.replicaUrl(), 'select 1')).rejects.toThrow();
  }, 30_000);
});
