import { type SQL, sql } from 'drizzle-orm';
import { tickets } from '../schema';

/** The search vector of a piece of public text: Russian and English stems together. */
export function searchVectorOf(text: string): SQL {
  return sql`to_tsvector('russian', ${text}) || to_tsvector('english', ${text})`;
}

/** Adds `text` to the ticket's search vector (used for the subject and public messages, never notes). */
export function appendSearch(text: string): SQL {
  return sql`${tickets.search} || ${searchVectorOf(text)}`;
}

/** Escapes LIKE wildcards so a search for "50%" means the characters. */
export function likeTerm(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Matches a ticket by words in Russian or English, by a fragment of its subject, or by its number ("#12"). */
export function ticketSearchCondition(q: string): SQL {
  const number = /^#?([1-9][0-9]{0,8})$/.exec(q.trim())?.[1];
  const words = sql`${tickets.search} @@ (websearch_to_tsquery('russian', ${q}) || websearch_to_tsquery('english', ${q}))`;
  const fragment = sql`${tickets.subject} ilike ${likeTerm(q)}`;
  return number
    ? sql`(${words} or ${fragment} or ${tickets.id} = ${Number(number)})`
    : sql`(${words} or ${fragment})`;
}
