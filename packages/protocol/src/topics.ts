/** The agents' queue: every ticket's changes an agent may see. */
export const QUEUE_TOPIC = 'queue';

/** One ticket's stream: `ticket:<id>`. */
export type TicketTopicName = `ticket:${number}`;
export type TopicName = TicketTopicName | typeof QUEUE_TOPIC;

export function ticketTopic(ticketId: number): TicketTopicName {
  return `ticket:${ticketId}`;
}

/** The ticket id a topic names; null for the queue and for anything that is not `ticket:<positive id>`. */
export function ticketIdOfTopic(topic: string): number | null {
  const match = /^ticket:([1-9][0-9]{0,15})$/.exec(topic);
  const id = match?.[1] ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(id) ? id : null;
}
