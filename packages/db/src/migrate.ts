import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/** Any constant: every migrator takes the same advisory lock, so concurrent runs apply migrations once. */
const MIGRATION_LOCK_KEY = 7_411_902_315;

export const migrationsFolder = path.join(__dirname, '..', 'drizzle');

/**
 * Applies the committed SQL migrations. Safe when several run at once (a session advisory lock serialises
 * them; the later ones find nothing left to do) and a no-op on rerun.
 */
export async function runMigrations(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'tikethet-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
