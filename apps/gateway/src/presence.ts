import type { Bus } from '@tikethet/bus';
import type { BusMessage, Person } from '@tikethet/domain';

type PresenceMessage = Extract<BusMessage, { kind: 'presence' }>;

export interface PresenceOptions {
  gatewayId: string;
  bus: Bus;
  /** How often local viewers are re-announced; another gateway's list expires after 3×. */
  intervalMs: number;
  /** Changes are coalesced for this long before they are announced. */
  debounceMs?: number;
  /** The merged viewers of a ticket changed (to be sent to its staff subscribers). */
  onChange(ticketId: number, viewers: Person[]): void;
  onPublishError(error: unknown): void;
}

const idsOf = (people: Person[]) =>
  people
    .map((p) => p.id)
    .sort((a, b) => a - b)
    .join(',');

interface LocalTicket {
  customerId: number;
  /** Viewer -> how many of this gateway's sockets follow the ticket as that user. */
  viewers: Map<number, { person: Person; sockets: number }>;
}

/**
 * Who is viewing each ticket: this gateway's subscribed sockets, announced on the bus, merged with what the
 * other gateways announce (`source` = gateway id).
 */
export function createPresence(options: PresenceOptions) {
  const local = new Map<number, LocalTicket>();
  const remote = new Map<number, Map<string, { viewers: Person[]; at: number }>>();
  const dirty = new Map<number, number>();
  let flushTimer: NodeJS.Timeout | undefined;

  function merged(ticketId: number): Person[] {
    const byId = new Map<number, Person>();
    for (const { person } of local.get(ticketId)?.viewers.values() ?? []) byId.set(person.id, person);
    for (const entry of remote.get(ticketId)?.values() ?? []) {
      for (const person of entry.viewers) if (!byId.has(person.id)) byId.set(person.id, person);
    }
    return [...byId.values()];
  }

  function announce(ticketId: number, customerId: number): void {
    const viewers = [...(local.get(ticketId)?.viewers.values() ?? [])].map((v) => v.person);
    const message: PresenceMessage = {
      kind: 'presence',
      ticketId,
      customerId,
      source: options.gatewayId,
      viewers,
    };
    options.bus.publish(message).catch(options.onPublishError);
  }

  function flush(): void {
    flushTimer = undefined;
    const tickets = [...dirty];
    dirty.clear();
    for (const [ticketId, customerId] of tickets) {
      announce(ticketId, customerId);
      options.onChange(ticketId, merged(ticketId));
    }
  }

  function markDirty(ticketId: number, customerId: number): void {
    dirty.set(ticketId, customerId);
    flushTimer ??= setTimeout(flush, options.debounceMs ?? 50);
  }

  const refresh = setInterval(() => {
    for (const [ticketId, entry] of local) announce(ticketId, entry.customerId);
    const expiry = Date.now() - options.intervalMs * 3;
    for (const [ticketId, sources] of remote) {
      let changed = false;
      for (const [source, entry] of sources) {
        if (entry.at < expiry) {
          sources.delete(source);
          changed = true;
        }
      }
      if (sources.size === 0) remote.delete(ticketId);
      if (changed) options.onChange(ticketId, merged(ticketId));
    }
  }, options.intervalMs);
  refresh.unref();

  return {
    merged,
    add(ticketId: number, customerId: number, person: Person): void {
      let entry = local.get(ticketId);
      if (!entry) {
        entry = { customerId, viewers: new Map() };
        local.set(ticketId, entry);
      }
      const viewer = entry.viewers.get(person.id);
      if (viewer) {
        viewer.sockets += 1;
        return;
      }
      entry.viewers.set(person.id, { person, sockets: 1 });
      markDirty(ticketId, customerId);
    },
    remove(ticketId: number, personId: number): void {
      const entry = local.get(ticketId);
      const viewer = entry?.viewers.get(personId);
      if (!entry || !viewer) return;
      viewer.sockets -= 1;
      if (viewer.sockets > 0) return;
      entry.viewers.delete(personId);
      if (entry.viewers.size === 0) local.delete(ticketId);
      markDirty(ticketId, entry.customerId);
    },
    /** A presence message from the bus (our own announcements are ignored). */
    receive(message: PresenceMessage): void {
      if (message.source === options.gatewayId) return;
      const before = idsOf(merged(message.ticketId));
      let sources = remote.get(message.ticketId);
      if (!sources) {
        sources = new Map();
        remote.set(message.ticketId, sources);
      }
      if (message.viewers.length === 0) sources.delete(message.source);
      else sources.set(message.source, { viewers: message.viewers, at: Date.now() });
      if (sources.size === 0) remote.delete(message.ticketId);
      const after = merged(message.ticketId);
      if (idsOf(after) !== before) options.onChange(message.ticketId, after);
    },
    /** Re-announces every local list (after the bus comes back). */
    announceAll(): void {
      for (const [ticketId, entry] of local) announce(ticketId, entry.customerId);
    },
    /** Says this gateway has no viewers any more (shutdown), then stops. */
    async stop(): Promise<void> {
      clearInterval(refresh);
      if (flushTimer) clearTimeout(flushTimer);
      const goodbyes = [...local].map(([ticketId, entry]) =>
        options.bus
          .publish({
            kind: 'presence',
            ticketId,
            customerId: entry.customerId,
            source: options.gatewayId,
            viewers: [],
          })
          .catch(() => undefined),
      );
      local.clear();
      await Promise.all(goodbyes);
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
