import {
  canClaim,
  createTicketInputSchema,
  customerUpdateTicketInputSchema,
  isStaff,
  listTicketsQuerySchema,
  updateTicketInputSchema,
} from '@tikethet/domain';
import { idParam, parseBody, parseOptionalEmptyBody } from '../http/validate';
import { Reply, type RouteDef } from './route';

export const ticketRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/tickets',
    access: 'user',
    query: listTicketsQuerySchema,
    handle: ({ services, actor, query }) => services.uc.listTickets(actor, query),
  },
  {
    method: 'post',
    path: '/tickets',
    access: 'user',
    status: 201,
    async handle({ services, actor, body }) {
      const input = parseBody(createTicketInputSchema, body);
      const { ticket, created } = await services.uc.createTicket(actor, input, { source: 'miniapp' });
      return created ? ticket : new Reply(200, ticket);
    },
  },
  {
    method: 'get',
    path: '/tickets/:id',
    access: 'ticket',
    handle: ({ services, actor, params }) => services.uc.getTicket(actor, idParam(params)),
  },
  {
    method: 'patch',
    path: '/tickets/:id',
    access: 'ticket',
    handle({ services, actor, params, body }) {
      const id = idParam(params);
      // Customers may only close or reopen: their schema has no other field.
      const input = isStaff(actor.role)
        ? parseBody(updateTicketInputSchema, body)
        : parseBody(customerUpdateTicketInputSchema, body);
      return services.uc.updateTicket(actor, id, input);
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/claim',
    access: 'staff',
    guard: canClaim,
    handle({ services, actor, params, body }) {
      const id = idParam(params);
      parseOptionalEmptyBody(body);
      return services.uc.claimTicket(actor, id);
    },
  },
];
