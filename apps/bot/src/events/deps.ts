import type { UseCases } from '@tikethet/db';
import type { TicketEvent } from '@tikethet/domain';
import type { BotRuntime } from '../runtime';
import type { AssigneeTracker } from './assignees';

export interface EventHandlerDeps {
  uc: UseCases;
  runtime: BotRuntime;
  agentsChatId: number | undefined;
  /** Tickets' assignees as the event stream told them (the consumer's); without it, every lookup reads. */
  assignees?: AssigneeTracker;
}

export type TicketUpdated = TicketEvent & { type: 'ticket.updated' };
