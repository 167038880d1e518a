import { type RedisClusterHandle, startRedisCluster } from './redis-cluster';
import { pingRedisPort } from './redis-server';

describe('startRedisCluster', () => {
  let cluster: RedisClusterHandle;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs three masters with a replica each on free loopback ports', async () => {
    expect(cluster.nodes).toHaveLength(6);
    expect(cluster.nodes.map((n) => n.port)).not.toContain(6379);
    expect(cluster.nodesEnv.split(',')).toHaveLength(6);
    const info = await cluster.cli(cluster.nodes[0]?.port ?? 0, 'CLUSTER', 'INFO');
    expect(info).toMatch(/cluster_state:ok/);
    expect(info).toMatch(/cluster_size:3/);
  });

  it('moves a killed master’s slots to its replica', async () => {
    const before = await cluster.masterOf(0);
    await cluster.servers.find((s) => s.port === before)?.kill();
    expect(await pingRedisPort(before)).toBe(false);
    await cluster.waitUntilOk();
    const after = await cluster.masterOf(0);
    expect(after).not.toBe(before);
  }, 30_000);
});
