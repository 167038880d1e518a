import {
  bulkResultSchema,
  bulkTicketsInputSchema,
  canManageTags,
  canTriage,
  DomainError,
  listTagsQuerySchema,
  mergeTicketInputSchema,
  renameTagInputSchema,
  tagCountSchema,
  ticketSchema,
} from '@tikethet/domain';
import { z } from 'zod';
import { idParam } from '../http/validate';
import type { RouteDef } from './route';

export const triageRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/tags',
    access: 'staff',
    guard: canTriage,
    summary: 'Tags in use with how many tickets carry each, most used first (at most 100)',
    description: '`q`: only names that start with it (autocomplete).',
    query: listTagsQuerySchema,
    response: z.object({ items: z.array(tagCountSchema) }),
    async handle({ services, actor, query }) {
      return { items: await services.uc.listTags(actor, query) };
    },
  },
  {
    method: 'put',
    path: '/tags/:name',
    access: 'admin',
    guard: canManageTags,
    summary: 'Rename a tag on every ticket; a name already in use merges the two tags',
    body: renameTagInputSchema,
    response: tagCountSchema,
    handle: ({ services, actor, params, readBody }) =>
      services.uc.renameTag(actor, String(params.name ?? ''), readBody(renameTagInputSchema)),
  },
  {
    method: 'post',
    path: '/tickets/bulk',
    access: 'staff',
    guard: canTriage,
    summary: 'One action on up to 100 tickets: add/remove tags, status, priority, assignee',
    description:
      'Each ticket is changed in its own transaction, against the ticket as it is then (no `version`): tags are added to and removed from its current tags. The answer says per ticket whether it was done and, if not, why; the others are done regardless.',
    body: bulkTicketsInputSchema,
    response: bulkResultSchema,
    async handle({ services, actor, readBody }) {
      const { ids, ...action } = readBody(bulkTicketsInputSchema);
      const items: z.infer<typeof bulkResultSchema>['items'] = [];
      for (const id of ids) {
        try {
          await services.uc.bulkUpdateTicket(actor, id, action);
          items.push({ id, ok: true });
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          items.push({ id, ok: false, error: { code: error.code, message: error.message } });
        }
      }
      return { items };
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/merge',
    access: 'staff',
    guard: canTriage,
    summary: 'Merge this ticket into another of the same customer (it is closed with a pointer)',
    description:
      "The ticket's messages move to the end of `into`'s conversation in their order; it is closed with `mergedIntoId`, and a `ticket.updated` event (changes `mergedIntoId`) tells whoever follows it. A ticket already merged is a 409 `already_merged`; `into` itself merged, the same ticket or another customer's is a 400 naming `into`.",
    body: mergeTicketInputSchema,
    response: z.object({ merged: ticketSchema, into: ticketSchema }),
    handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      const { into } = readBody(mergeTicketInputSchema);
      return services.uc.mergeTickets(actor, id, into);
    },
  },
];
