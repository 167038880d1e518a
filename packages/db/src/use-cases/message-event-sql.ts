import { type SQL, sql } from 'drizzle-orm';

/**
 * A timestamp as `iso()` in mappers.ts writes it (JavaScript's toISOString: UTC, milliseconds truncated),
 * for JSON composed inside a statement.
 */
export function isoSql(timestamp: SQL): SQL {
  return sql`to_char(${timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * A message.created event's data ({ message }) written in the same statement as its message: `draft` is the
 * JSON the mapper built before the row existed, and the database fills in the row's id, seq and time.
 */
export function messageCreatedData(draft: SQL, row: { id: SQL; seq: SQL; createdAt: SQL }): SQL {
  return sql`jsonb_set(jsonb_set(jsonb_set(${draft}::jsonb,
      '{message,id}', to_jsonb(${row.id})),
      '{message,seq}', to_jsonb(${row.seq})),
      '{message,createdAt}', to_jsonb(${isoSql(row.createdAt)}))`;
}
