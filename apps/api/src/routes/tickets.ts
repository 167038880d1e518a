import {
  canClaim,
  createTicketInputSchema,
  customerUpdateTicketInputSchema,
  isStaff,
  listTicketsQuerySchema,
  ticketDetailSchema,
  ticketListItemSchema,
  ticketSchema,
  updateTicketInputSchema,
} from '@tikethet/domain';
import { z } from 'zod';
import { emptyBodySchema, idParam } from '../http/validate';
import { Reply, type RouteDef } from './route';

const ticketPageSchema = z.object({
  items: z.array(ticketListItemSchema),
  nextCursor: z.string().nullable(),
});

export const ticketRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/tickets',
    access: 'user',
    summary: 'List tickets: a queue page by cursor, or the best-ranked search matches with q',
    description:
      'Customers see their own tickets, staff every ticket. `status` takes a comma-separated list; `cursor` is only what a previous page returned as `nextCursor`. With `q` the answer is one ranked page (no `nextCursor`).',
    query: listTicketsQuerySchema,
    response: ticketPageSchema,
    handle: ({ services, actor, query }) => services.reads.run(actor, (uc) => uc.listTickets(actor, query)),
  },
  {
    method: 'post',
    path: '/tickets',
    access: 'user',
    summary: 'Open a ticket with its first message',
    description: 'A repeat with the same `clientMessageId` answers 200 with the ticket it made.',
    body: createTicketInputSchema,
    response: ticketSchema,
    status: 201,
    async handle({ services, actor, readBody }) {
      const input = readBody(createTicketInputSchema);
      const { ticket, created } = await services.uc.createTicket(actor, input, { source: 'miniapp' });
      return created ? ticket : new Reply(200, ticket);
    },
  },
  {
    method: 'get',
    path: '/tickets/:id',
    access: 'ticket',
    summary: 'One ticket with its customer and assignee',
    response: ticketDetailSchema,
    handle: ({ services, actor, params }) => services.uc.getTicket(actor, idParam(params)),
  },
  {
    method: 'patch',
    path: '/tickets/:id',
    access: 'ticket',
    summary: 'Change status, priority, category or assignee (optimistic: `version` must be current)',
    description:
      'Staff send any of the fields; a customer only closes or reopens (`status`: open or closed).',
    body: updateTicketInputSchema,
    customerBody: customerUpdateTicketInputSchema,
    response: ticketSchema,
    handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      // Customers may only close or reopen: their schema has no other field.
      const input = isStaff(actor.role)
        ? readBody(updateTicketInputSchema)
        : readBody(customerUpdateTicketInputSchema);
      return services.uc.updateTicket(actor, id, input);
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/claim',
    access: 'staff',
    guard: canClaim,
    summary: 'Take an unassigned ticket',
    body: emptyBodySchema,
    bodyOptional: true,
    response: ticketSchema,
    handle({ services, actor, params, body, readBody }) {
      const id = idParam(params);
      if (body !== undefined) readBody(emptyBodySchema);
      return services.uc.claimTicket(actor, id);
    },
  },
];
