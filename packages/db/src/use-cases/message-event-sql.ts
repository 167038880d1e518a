import type { Message, MessageKind } from '@tikethet/domain';
import { type SQL, sql } from 'drizzle-orm';
import { toMessage } from '../mappers';
import type { AuthorRow } from '../scope';
import { deliveryOf } from './messages';

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

/**
 * The message of a message.created event written in one statement with its row, as the full path's mapper
 * builds it: id, seq and createdAt are placeholders (0, 0, the epoch) that `messageCreatedData` fills in.
 */
export function draftMessage(
  m: {
    ticketId: number;
    kind: MessageKind;
    authorId: number;
    body: string;
    clientMessageId: string | null;
    via: 'miniapp' | 'bot';
  },
  author: AuthorRow | null,
): Message {
  return toMessage(
    {
      ...m,
      id: 0,
      seq: 0,
      originalBody: null,
      delivery: deliveryOf(m.kind, m.via),
      createdAt: new Date(0).toISOString(),
      editedAt: null,
    },
    author,
  );
}
