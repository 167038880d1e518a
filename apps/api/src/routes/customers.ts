import {
  canManageContactStep,
  canTriage,
  canViewCustomer,
  contactStepSchema,
  customerCardSchema,
  telegramIdParamSchema,
  ticketSchema,
  updateCustomerInputSchema,
} from '@tikethet/domain';
import { emptyBodySchema, idParam, parseWith } from '../http/validate';
import type { RouteDef } from './route';

const customerId = (params: Record<string, unknown>) =>
  parseWith(telegramIdParamSchema, params.telegramId, 'telegramId');

export const customerRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/customers/:telegramId',
    access: 'staff',
    guard: canViewCustomer,
    summary: "A customer's card: Telegram profile, shared phone, the team's note, their newest 50 tickets",
    description:
      '`:telegramId` is the Telegram user id. Each ticket carries its rating and the comment left with it. Staff only: a customer gets 403, even for their own card.',
    response: customerCardSchema,
    handle: ({ services, actor, params }) => services.uc.getCustomer(actor, customerId(params)),
  },
  {
    method: 'patch',
    path: '/customers/:telegramId',
    access: 'staff',
    guard: canViewCustomer,
    summary: "Write the team's note about a customer (kept across their tickets)",
    description: '`note`: null or "" clears it. Nothing else about a customer is written here.',
    body: updateCustomerInputSchema,
    response: customerCardSchema,
    handle: ({ services, actor, params, readBody }) =>
      services.uc.updateCustomer(actor, customerId(params), readBody(updateCustomerInputSchema)),
  },
  {
    method: 'post',
    path: '/tickets/:id/request-contact',
    access: 'staff',
    guard: canTriage,
    summary: "Ask the ticket's customer in Telegram to share their phone (a request_contact keyboard)",
    description:
      "Only the customer's own contact is stored, as `phoneVerified`; a forwarded one is kept as a message. 409 when the customer never wrote to the bot.",
    body: emptyBodySchema,
    bodyOptional: true,
    response: ticketSchema,
    handle({ services, actor, params, body, readBody }) {
      const id = idParam(params);
      if (body !== undefined) readBody(emptyBodySchema);
      return services.uc.requestContact(actor, id);
    },
  },
  {
    method: 'get',
    path: '/settings/contact-step',
    access: 'admin',
    guard: canManageContactStep,
    summary: 'Whether the bot asks a new customer for their phone before their first ticket',
    response: contactStepSchema,
    handle: ({ services, actor }) => services.uc.getContactStep(actor),
  },
  {
    method: 'put',
    path: '/settings/contact-step',
    access: 'admin',
    guard: canManageContactStep,
    summary: 'Turn the phone step before a first ticket on or off',
    description:
      'On: a customer without a verified phone who writes to the bot for the first time gets the request_contact button; their message becomes their ticket once they share their own contact.',
    body: contactStepSchema,
    response: contactStepSchema,
    handle: ({ services, actor, readBody }) => services.uc.setContactStep(actor, readBody(contactStepSchema)),
  },
];
