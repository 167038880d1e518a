import { type SQL, sql } from 'drizzle-orm';
import { messages, tickets } from '../schema';

/** The search vector of a piece of public text: Russian and English stems together (a ticket's subject). */
export function searchVectorOf(text: string): SQL {
  return sql`to_tsvector('russian', ${text}) || to_tsvector('english', ${text})`;
}

/** Escapes LIKE wildcards so a search for "50%" means the characters. */
export function likeTerm(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Matches a ticket by words in Russian or English (of its subject or of any public message), by a fragment
 * of its subject, or by its number ("#12"). Internal notes are never searched.
 */
export function ticketSearchCondition(q: string): SQL {
  const number = /^#?([1-9][0-9]{0,8})$/.exec(q.trim())?.[1];
  const query = sql`(websearch_to_tsquery('russian', ${q}) || websearch_to_tsquery('english', ${q}))`;
  const words = sql`(${tickets.search} @@ ${query} or ${tickets.id} in (select ${messages.ticketId} from ${messages} where ${messages.kind} <> 'note' and ${messages.search} @@ ${query}))`;
  const fragment = sql`${tickets.subject} ilike ${likeTerm(q)}`;
  return number
    ? sql`(${words} or ${fragment} or ${tickets.id} = ${Number(number)})`
    : sql`(${words} or ${fragment})`;
}
