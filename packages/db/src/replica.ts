import { createLogger, type Logger } from '@tikethet/config';
import type { DbClient } from './client';

export interface ReplicaMonitorOptions {
  primary: DbClient;
  replica: DbClient;
  /** The replica serves reads only while it is at most this far behind the primary (ms). */
  maxLagMs: number;
  /** How often both are asked where their WAL is. Default: a quarter of the budget, 50-500 ms. */
  probeIntervalMs?: number;
  logger?: Logger;
  now?: () => number;
}

/** Whether the replica may serve a read now (the bounded-lag rule, ARCHITECTURE "Growing past one machine"). */
export interface ReplicaMonitor {
  /** True while the last probe succeeded and the replica held everything the primary had `maxLagMs` ago. */
  readonly fresh: boolean;
  /** How far behind the replica is, at most (ms); undefined while unknown (not probed, or unreachable). */
  readonly stalenessMs: number | undefined;
  /** A read on the replica failed for want of a connection: reads go to the primary until a probe succeeds. */
  markDown(): void;
  /** Probes once now (tests, start-up). */
  probe(): Promise<void>;
  close(): void;
}

/** `X/Y` (two hex halves) as one number: LSNs compare as 64-bit positions. */
function lsnValue(lsn: string): bigint {
  const [high = '0', low = '0'] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/**
 * The lag rule. Every probe reads the primary's WAL position (`pg_current_wal_lsn()`) and remembers when it
 * read it, then the replica's replayed position (`pg_last_wal_replay_lsn()`). A commit that finished before a
 * remembered moment lies at or below that moment's position, so once the replica has replayed past it the
 * replica holds every write older than that moment. Its staleness is therefore at most *now − the latest such
 * moment* (it keeps growing between probes, so the bound stays true), and it serves reads only while that is
 * within `maxLagMs`. An idle primary's position does not move: the replica is then as fresh as the last probe.
 */
export function monitorReplica(options: ReplicaMonitorOptions): ReplicaMonitor {
  const logger = options.logger ?? createLogger('db:replica');
  const now = options.now ?? Date.now;
  const interval = options.probeIntervalMs ?? Math.min(500, Math.max(50, Math.floor(options.maxLagMs / 4)));
  /** Primary positions read recently, oldest first. */
  let samples: Array<{ at: number; lsn: bigint }> = [];
  /** The latest moment whose writes the replica is known to hold. */
  let heldAt: number | undefined;
  let up = false;
  let probing = false;
  let closed = false;

  async function probe(): Promise<void> {
    if (probing || closed) return;
    probing = true;
    try {
      const primary = await options.primary.db.$client.query<{ lsn: string }>(
        'select pg_current_wal_lsn()::text as lsn',
      );
      samples.push({ at: now(), lsn: lsnValue(String(primary.rows[0]?.lsn)) });
      const replica = await options.replica.db.$client.query<{ lsn: string | null }>(
        'select pg_last_wal_replay_lsn()::text as lsn',
      );
      const replayed = replica.rows[0]?.lsn;
      if (!replayed) throw new Error('DATABASE_REPLICA_URL is not a replica (no WAL replay position)');
      const position = lsnValue(replayed);
      const held = samples.filter((s) => s.lsn <= position);
      const latest = held.at(-1);
      if (latest) heldAt = Math.max(heldAt ?? 0, latest.at);
      // Keep the samples the replica has not reached yet, and none older than the budget needs.
      samples = samples.filter((s) => s.lsn > position && now() - s.at <= options.maxLagMs * 4 + interval);
      if (!up)
        logger.info('replica reachable; serving list, search and stats reads while within the lag budget');
      up = true;
    } catch (err) {
      if (up) logger.warn({ err }, 'replica probe failed; reads go to the primary');
      up = false;
    } finally {
      probing = false;
    }
  }

  const timer = setInterval(() => void probe(), interval);
  timer.unref();
  void probe();

  const staleness = () => (up && heldAt !== undefined ? Math.max(0, now() - heldAt) : undefined);
  return {
    get fresh() {
      const s = staleness();
      return s !== undefined && s <= options.maxLagMs;
    },
    get stalenessMs() {
      return staleness();
    },
    markDown() {
      if (up) logger.warn('a read on the replica lost its connection; reads go to the primary');
      up = false;
    },
    probe,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
