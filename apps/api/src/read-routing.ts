import { isConnectionError, type ReplicaMonitor, type UseCases } from '@tikethet/db';
import type { Actor } from '@tikethet/domain';

/** Recovery conflicts cancel a replica's query (SQLSTATE 40001 on a hot standby): run it on the primary. */
function isRecoveryConflict(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code;
  const causeCode = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return code === '40001' || causeCode === '40001';
}

export interface ReadRouting {
  /**
   * Runs a list, search or stats read on the replica when the lag rule allows it and this actor has no write
   * the replica may still lack; otherwise, or when the replica fails under it, on the primary.
   */
  run<T>(actor: Actor, read: (uc: UseCases) => Promise<T>): Promise<T>;
  /** The actor is writing: until the replica has caught up past this moment, their reads stay on the primary. */
  wrote(actorId: number): void;
  /** Reads served so far, by where. */
  readonly served: { replica: number; primary: number };
}

export interface ReadRoutingOptions {
  primary: UseCases;
  replica?: { uc: UseCases; monitor: ReplicaMonitor };
  now?: () => number;
}

/** Forgets writers whose writes every replica state counted fresh already holds (at most this many ms old). */
const WRITER_MEMORY_MS = 10 * 60_000;

/**
 * Where the API's list, search and stats reads run (ARCHITECTURE, "Growing past one machine"). Everything
 * else, ticket reads, permission checks and every write, uses the primary's use cases directly.
 */
export function createReadRouting(options: ReadRoutingOptions): ReadRouting {
  const now = options.now ?? Date.now;
  const lastWrite = new Map<number, number>();
  const served = { replica: 0, primary: 0 };

  function onReplica(actor: Actor): boolean {
    const replica = options.replica;
    if (!replica?.monitor.fresh) return false;
    const staleness = replica.monitor.stalenessMs ?? Number.POSITIVE_INFINITY;
    const wrote = lastWrite.get(actor.id);
    // The replica holds every write older than `staleness`: the actor's own last write must be older still.
    return wrote === undefined || now() - wrote > staleness;
  }

  return {
    async run(actor, read) {
      const replica = options.replica;
      if (replica && onReplica(actor)) {
        try {
          const result = await read(replica.uc);
          served.replica += 1;
          return result;
        } catch (error) {
          if (!isConnectionError(error) && !isRecoveryConflict(error)) throw error;
          if (isConnectionError(error)) replica.monitor.markDown();
        }
      }
      const result = await read(options.primary);
      served.primary += 1;
      return result;
    },
    wrote(actorId) {
      const t = now();
      lastWrite.delete(actorId);
      lastWrite.set(actorId, t);
      // Oldest first (re-inserted on every write): drop the ones no replica read could still miss.
      for (const [id, at] of lastWrite) {
        if (t - at <= WRITER_MEMORY_MS) break;
        lastWrite.delete(id);
      }
    },
    served,
  };
}
