import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type RedisServerHandle, startRedisServer } from './redis-server';
import { freePort } from './services';

const run = promisify(execFile);

/** A private Redis Cluster on loopback (never the shared Redis at 6379), torn down by `stop()`. */
export interface RedisClusterHandle {
  /** `host:port,host:port,…` of every node, for REDIS_CLUSTER_NODES. */
  readonly nodesEnv: string;
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  readonly servers: ReadonlyArray<RedisServerHandle>;
  /** Runs `redis-cli -p <port> <args…>` and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The port of the master serving `slot`, as the cluster itself reports it now. */
  masterOf(slot: number): Promise<number>;
  /** Every sharded pub/sub channel with subscribers on a live node, and how many (PUBSUB SHARDNUMSUB). */
  shardSubscriptions(): Promise<Map<string, number>>;
  /** Resolves once every live node reports `cluster_state:ok` and agrees on the masters. */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes the cluster's files. */
  stop(): Promise<void>;
}

export interface StartRedisClusterOptions {
  /** Default 3. */
  masters?: number;
  /** Replicas per master (`--cluster-replicas`). Default 0. */
  replicasPerMaster?: number;
  /** `cluster-node-timeout` in ms: how soon a dead master's replica takes over. Default 1000. */
  nodeTimeoutMs?: number;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port > 55_000 || port === 6379 || taken.has(port) || taken.has(port + 10_000)) continue;
    if (await canListen(port + 10_000)) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const count = masters * (replicas + 1);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tikethet-redis-cluster-'));
  const servers: RedisServerHandle[] = [];
  const taken = new Set<number>();

  async function cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
      timeout: 30_000,
    });
    return stdout;
  }

  async function alivePorts(): Promise<number[]> {
    const ports: number[] = [];
    for (const server of servers) {
      try {
        if ((await cli(server.port, 'PING')).trim() === 'PONG') ports.push(server.port);
      } catch {
        // a killed node
      }
    }
    return ports;
  }

  async function masterOf(slot: number): Promise<number> {
    for (const port of await alivePorts()) {
      const shards = await cli(port, 'CLUSTER', 'SLOTS');
      // redis-cli prints each range as: start, end, then per node ip, port, id.
      const lines = shards.split('\n').map((l) => l.trim());
      for (let i = 0; i + 3 < lines.length; i++) {
        const start = Number(lines[i]);
        const end = Number(lines[i + 1]);
        if (Number.isInteger(start) && Number.isInteger(end) && lines[i + 2] === '127.0.0.1') {
          if (slot >= start && slot <= end) return Number(lines[i + 3]);
        }
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  async function shardSubscriptions(): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const port of await alivePorts()) {
      const channels = (await cli(port, 'PUBSUB', 'SHARDCHANNELS')).split('\n').filter(Boolean);
      if (channels.length === 0) continue;
      const counts = (await cli(port, 'PUBSUB', 'SHARDNUMSUB', ...channels)).split('\n');
      for (let i = 0; i + 1 < counts.length; i += 2) {
        const channel = String(counts[i]);
        const n = Number(counts[i + 1]);
        if (n > 0) found.set(channel, (found.get(channel) ?? 0) + n);
      }
    }
    return found;
  }

  async function waitUntilOk(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const ports = await alivePorts();
      const states = await Promise.all(ports.map((p) => cli(p, 'CLUSTER', 'INFO').catch(() => '')));
      // Each live node's masters that serve slots; every one must be alive and all views must agree.
      const masterViews = await Promise.all(
        ports.map((p) =>
          cli(p, 'CLUSTER', 'NODES')
            .then((nodes) =>
              nodes
                .split('\n')
                .map((l) => l.split(' '))
                .filter((f) => f[2]?.includes('master') && f.length > 8)
                .map((f) => Number(f[1]?.split(/[:@]/)[1]))
                .sort()
                .join(','),
            )
            .catch(() => ''),
        ),
      );
      last = states.map((s) => /cluster_state:(\w+)/.exec(s)?.[1] ?? '?').join(',');
      const ok = states.length > 0 && states.every((s) => s.includes('cluster_state:ok'));
      const servedByLive = masterViews.every(
        (v) => v !== '' && v.split(',').every((p) => ports.includes(Number(p))),
      );
      if (ok && servedByLive && masterViews.every((v) => v === masterViews[0])) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ports = await alivePorts();
    const view = ports[0] ? await cli(ports[0], 'CLUSTER', 'NODES').catch(() => '') : '';
    throw new Error(`Redis Cluster not ok within ${timeoutMs} ms (states: ${last})\n${view}`);
  }

  /** Every replica has finished its first sync (a replica that never synced cannot take over). */
  async function waitForReplicas(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const infos = await Promise.all(servers.map((s) => cli(s.port, 'INFO', 'replication')));
      const syncing = infos.filter((i) => i.includes('role:slave') && !i.includes('master_link_status:up'));
      if (syncing.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${syncing.length} replicas did not sync within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function stop(): Promise<void> {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  }

  try {
    for (let i = 0; i < count; i++) {
      const port = await freeClusterPort(taken);
      taken.add(port);
      taken.add(port + 10_000);
      servers.push(
        await startRedisServer({
          port,
          extraArgs: [
            ...['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`)],
            ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000), '--dir', dir],
            // A replica takes over however long ago it last heard from its master (tests kill masters early).
            ...['--cluster-replica-validity-factor', '0', '--daemonize', 'no'],
          ],
        }),
      );
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'],
      {
        timeout: 60_000,
      },
    );
    await waitUntilOk();
    await waitForReplicas();
  } catch (error) {
    await stop();
    throw error;
  }

  const nodes = servers.map((s) => ({ host: '127.0.0.1', port: s.port }));
  return {
    nodesEnv: nodes.map((n) => `${n.host}:${n.port}`).join(','),
    nodes,
    servers,
    cli,
    masterOf,
    shardSubscriptions,
    waitUntilOk,
    stop,
  };
}
