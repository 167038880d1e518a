import { canViewDeadLetters, idParamSchema, listTicketsQuerySchema } from '@tikethet/domain';
import { z } from 'zod';
import { parseWith } from '../http/validate';
import type { RouteDef } from './route';

const deadLettersQuerySchema = z.strictObject({
  /** 1 to 100, as for tickets. */
  limit: listTicketsQuerySchema.shape.limit,
  /** The `nextCursor` of the previous page: dead letters older than that one. */
  before: idParamSchema.optional(),
});

/** Telegram updates the bot could not process and kept instead of retrying forever (issue 13): admins only. */
export const deadLetterRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/dead-letters',
    access: 'admin',
    guard: canViewDeadLetters,
    summary: 'Telegram updates the bot could not process, newest first',
    query: deadLettersQuerySchema,
    async handle({ services, actor, query }) {
      const { limit, before } = parseWith(deadLettersQuerySchema, query);
      return services.uc.listDeadLetters(actor, { limit, before });
    },
  },
];
