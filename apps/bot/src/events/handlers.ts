import type { TicketEvent } from '@tikethet/domain';
import { mirrorTicket } from '../topics/mirror';
import type { EventHandlerDeps } from './deps';
import { postNewTicket, refreshPosts, tellAssignee, tellNewAssignee, tellSlaAlert } from './to-agents';
import {
  askForContact,
  editCustomerCopy,
  replyToCustomer,
  tellCustomerStatus,
  tellsCustomer,
} from './to-customer';

export type { EventHandlerDeps } from './deps';

/**
 * Whether the bot has anything to do for this event (cheap: no database read). In topic mode every event
 * is mirrored into its ticket's topic.
 */
export function concernsBot(event: TicketEvent, topics = false): boolean {
  if (topics) return true;
  if (event.type === 'message.updated') {
    const { kind } = event.data.message;
    return !event.internal && kind === 'agent';
  }
  if (event.type === 'message.created') {
    // A message a merge moved is old news: it was delivered (or told) when it was written.
    if (event.data.mergedFrom !== undefined) return false;
    const { kind } = event.data.message;
    // System lines (the out-of-hours reply) reach the customer like an agent's reply.
    return !event.internal && (kind === 'agent' || kind === 'customer' || kind === 'system');
  }
  if (event.type === 'ticket.updated') {
    const { changes } = event.data;
    return (
      changes.includes('assigneeId') ||
      changes.includes('sla') ||
      changes.includes('contactRequested') ||
      (tellsCustomer(changes) && event.actorId !== event.customerId)
    );
  }
  return event.type === 'ticket.created';
}

/**
 * Turns one event into queued Telegram sends. Every send has a dedupe key, so handling the same event
 * twice (bus redelivery, catch-up after a restart) enqueues nothing new.
 */
export async function handleEvent(deps: EventHandlerDeps, event: TicketEvent): Promise<number> {
  const topics = deps.runtime.topicsChatId !== undefined;
  if (!concernsBot(event, topics)) return 0;
  // The topic first: the ticket's card and its topic are queued before anything refers to them.
  const mirrored = topics ? await mirrorTicket(deps, event) : 0;
  return mirrored + (concernsBot(event) ? await deliver(deps, event, topics) : 0);
}

/** The event's sends outside the topic: the customer's chat, the assignee's DM, the group posts. */
async function deliver(deps: EventHandlerDeps, event: TicketEvent, topics: boolean): Promise<number> {
  if (event.type === 'message.updated') return editCustomerCopy(deps, event, event.data.message);
  if (event.type === 'message.created') {
    const message = event.data.message;
    if (message.internal) return 0;
    // In topic mode the ticket's topic carries the customer's words; the assignee is not DM'd them too.
    if (message.kind === 'customer') {
      if (topics) return 0;
      return tellAssignee(deps, event, message);
    }
    return replyToCustomer(deps, event, message);
  }
  if (event.type === 'ticket.updated') {
    const { changes } = event.data;
    let queued = 0;
    if (tellsCustomer(changes) && event.actorId !== event.customerId)
      queued += await tellCustomerStatus(deps, event);
    if (changes.includes('contactRequested')) queued += await askForContact(deps, event);
    if (changes.includes('assigneeId')) {
      queued += await tellNewAssignee(deps, event);
      queued += await refreshPosts(deps, event);
    }
    if (changes.includes('sla')) queued += await tellSlaAlert(deps, event);
    return queued;
  }
  // In topic mode the ticket's card in its topic is the post.
  if (event.type === 'ticket.created' && !topics) return postNewTicket(deps, event);
  return 0;
}
