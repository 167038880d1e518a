import {
  isStaff,
  listMessagesQuerySchema,
  messageSchema,
  postMessageInputSchema,
  rateTicketInputSchema,
  ratingSchema,
} from '@tikethet/domain';
import { z } from 'zod';
import { idParam } from '../http/validate';
import { Reply, type RouteDef } from './route';

/**
 * Customers cannot ask for an internal note: `internal` may only be false (ARCHITECTURE §11 lets every caller send
 * `internal?`; for a customer `true` is a 400 naming the field).
 */
export const customerPostMessageSchema = postMessageInputSchema
  .omit({ internal: true })
  .extend({ internal: z.literal(false, 'customers cannot write internal notes').optional() })
  .strict();
const markReadSchema = z.strictObject({ seq: z.number().int().min(0).max(2_147_483_647) });

export const messageRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/tickets/:id/messages',
    access: 'ticket',
    summary: 'The messages of a ticket, oldest first (internal notes for staff only)',
    query: listMessagesQuerySchema,
    response: z.object({ items: z.array(messageSchema) }),
    async handle({ services, actor, params, query }) {
      const items = await services.uc.listMessages(actor, idParam(params), query);
      return { items };
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/messages',
    access: 'ticket',
    summary: 'Write on a ticket; staff may write an internal note',
    description: 'A repeat with the same `clientMessageId` answers 200 with the message it made.',
    body: postMessageInputSchema,
    customerBody: customerPostMessageSchema,
    response: messageSchema,
    status: 201,
    async handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      const input = isStaff(actor.role)
        ? readBody(postMessageInputSchema)
        : readBody(customerPostMessageSchema);
      const { message, created } = await services.uc.postMessage(actor, id, input, { via: 'miniapp' });
      return created ? message : new Reply(200, message);
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/rating',
    access: 'ticket-owner',
    summary: 'Rate a resolved or closed ticket (its customer only)',
    body: rateTicketInputSchema,
    response: ratingSchema,
    handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      return services.uc.rateTicket(actor, id, readBody(rateTicketInputSchema));
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/read',
    access: 'ticket',
    summary: 'Mark the ticket read up to an event seq',
    body: markReadSchema,
    status: 204,
    async handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      const { seq } = readBody(markReadSchema);
      await services.uc.markRead(actor, id, seq);
      return undefined;
    },
  },
];
