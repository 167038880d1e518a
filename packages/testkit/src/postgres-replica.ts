import { execFile, execFileSync } from 'node:child_process';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './services';

const run = promisify(execFile);

/** Where Debian puts PostgreSQL 15's server binaries (initdb, pg_ctl, pg_basebackup). */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A private PostgreSQL primary and its streaming replica on free loopback ports, in a temporary directory
 * (never the shared server: its pg_hba.conf has no replication entry and is left alone).
 */
export interface PostgresReplicaPair {
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` on the primary or the replica. */
  primaryUrl(database?: string): string;
  replicaUrl(database?: string): string;
  /** Runs SQL on the primary's `postgres` database (CREATE DATABASE, say). */
  primarySql(sql: string): Promise<void>;
  /** `pg_wal_replay_pause()` / `pg_wal_replay_resume()` on the replica: it stops (starts) applying the primary's WAL. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the replica has replayed everything the primary has written so far. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  /** Stops the replica at once (`pg_ctl stop -m immediate`). */
  stopReplica(): Promise<void>;
  /** Stops both and removes the directory. */
  stop(): Promise<void>;
}

/** Runs a PostgreSQL binary as `postgres` (initdb refuses root) when this process is root, else as itself. */
async function asPostgres(binary: string, args: string[], timeout = 60_000): Promise<string> {
  const file = path.join(POSTGRES_BIN, binary);
  const root = process.getuid?.() === 0;
  const { stdout } = root
    ? await run('runuser', ['-u', 'postgres', '--', file, ...args], { timeout })
    : await run(file, args, { timeout });
  return stdout;
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

const running = new Set<string>();
let exitHookInstalled = false;
function stopAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const dataDir of running) {
      try {
        const args = ['-D', dataDir, 'stop', '-m', 'immediate'];
        const file = path.join(POSTGRES_BIN, 'pg_ctl');
        if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', file, ...args]);
        else execFileSync(file, args);
      } catch {
        // already stopped
      }
    }
  });
}

export async function startPostgresReplicaPair(): Promise<PostgresReplicaPair> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tikethet-pg-replica-'));
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
  }
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const primaryPort = await freePort();
  let replicaPort = await freePort();
  while (replicaPort === primaryPort) replicaPort = await freePort();
  const url = (port: number, database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  stopAllOnExit();

  const pgCtl = (dataDir: string, ...args: string[]) =>
    asPostgres('pg_ctl', ['-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-w', ...args]);

  async function stopServer(dataDir: string): Promise<void> {
    if (!running.has(dataDir)) return;
    running.delete(dataDir);
    await asPostgres('pg_ctl', ['-D', dataDir, 'stop', '-m', 'immediate']).catch(() => undefined);
  }

  async function stop(): Promise<void> {
    await Promise.all([stopServer(replicaDir), stopServer(primaryDir)]);
    await rm(dir, { recursive: true, force: true });
  }

  try {
    await asPostgres('initdb', [
      '-D',
      primaryDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    // initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
    await appendFile(
      path.join(primaryDir, 'postgresql.conf'),
      [
        `port = ${primaryPort}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        'hot_standby = on',
        'fsync = off',
        'full_page_writes = off',
        'shared_buffers = 32MB',
        '',
      ].join('\n'),
    );
    running.add(primaryDir);
    await pgCtl(primaryDir, 'start');
    await asPostgres('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
      ...['-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast'],
    ]);
    await appendFile(path.join(replicaDir, 'postgresql.conf'), `port = ${replicaPort}\n`);
    running.add(replicaDir);
    await pgCtl(replicaDir, 'start');
    const { rows } = await query(url(replicaPort), 'select pg_is_in_recovery() as standby');
    if (rows[0]?.standby !== true) throw new Error('the replica is not in recovery');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    primaryPort,
    replicaPort,
    primaryUrl: (database) => url(primaryPort, database),
    replicaUrl: (database) => url(replicaPort, database),
    async primarySql(sql) {
      await query(url(primaryPort), sql);
    },
    async pauseReplay() {
      await query(url(replicaPort), 'select pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await query(url(replicaPort), 'select pg_wal_replay_resume()');
    },
    async waitForReplay(timeoutMs = 10_000) {
      const { rows } = await query(url(primaryPort), 'select pg_current_wal_lsn()::text as lsn');
      const target = String(rows[0]?.lsn);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const replayed = await query(
          url(replicaPort),
          `select pg_last_wal_replay_lsn() >= '${target}'::pg_lsn as done`,
        );
        if (replayed.rows[0]?.done === true) return;
        if (Date.now() > deadline)
          throw new Error(`the replica did not replay up to ${target} in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stopReplica: () => stopServer(replicaDir),
    stop,
  };
}
