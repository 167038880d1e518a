import { sql } from 'drizzle-orm';
import { boolean, check, jsonb, pgTable } from 'drizzle-orm/pg-core';
import { tstz } from './columns';

/** The service-level settings: one row (0009), read by the SLA trigger and GET/PUT /settings/service-levels. */
export const serviceLevels = pgTable(
  'service_levels',
  {
    id: boolean('id').primaryKey().default(true),
    settings: jsonb('settings').notNull(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [check('service_levels_one_row', sql`${t.id}`)],
);
