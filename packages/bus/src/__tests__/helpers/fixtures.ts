import type { BusMessage, TicketEvent } from '@tikethet/domain';

const at = '2025-01-01T00:00:00.000Z';

export function ticketCreatedEvent(id: number, seq = 1, ticketId = 7): TicketEvent {
  return {
    id,
    ticketId,
    seq,
    customerId: 1001,
    internal: false,
    actorId: 1001,
    createdAt: at,
    type: 'ticket.created',
    data: {
      ticket: {
        id: ticketId,
        subject: 'Printer on fire',
        status: 'new',
        priority: 'normal',
        categoryId: null,
        customerId: 1001,
        assigneeId: null,
        version: 0,
        lastSeq: seq,
        source: 'miniapp',
        createdAt: at,
        updatedAt: at,
        lastMessageAt: at,
        lastMessagePreview: null,
        firstResponseAt: null,
        resolvedAt: null,
        closedAt: null,
        rating: null,
        tags: [],
        mergedIntoId: null,
        sla: {
          firstResponseDueAt: null,
          nextResponseDueAt: null,
          resolutionDueAt: null,
          breachedAt: null,
          pausedAt: null,
        },
      },
    },
  };
}

export function eventMessage(id: number, seq = 1): BusMessage {
  return { kind: 'event', event: ticketCreatedEvent(id, seq) };
}

export function roleChanged(userId: number): BusMessage {
  return { kind: 'role_changed', userId, role: 'agent' };
}

/** Something that is JSON but not a bus message (the types say no; the wire does not care). */
export function schemaViolating(): BusMessage {
  const bogus: unknown = { kind: 'role_changed', userId: -5, role: 'overlord' };
  return bogus as BusMessage;
}

export function uniqueChannel(label: string): string {
  return `tikethet:test:${label}:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`;
}
