import { type Actor, isStaff, type TicketPage } from '@tikethet/domain';
import { and, inArray, type SQL, sql } from 'drizzle-orm';
import { isTransaction, type Queryable, runTransaction, type Transaction } from '../client';
import { searchableName, tickets } from '../schema';
import { listedTickets } from './ticket-list';

/** The search vector of a piece of public text: Russian and English stems together (a ticket's subject). */
export function searchVectorOf(text: string): SQL {
  return sql`to_tsvector('russian', ${text}) || to_tsvector('english', ${text})`;
}

/** Escapes LIKE wildcards so a search for "50%" means the characters. */
export function likeTerm(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** How many of the newest rows a search reads first: a word met in 1 row in 50 of them is found there. */
const RECENT_ROWS = 10_000;
/** The rows read next when the newest hold a few matches (`newestMatches`). */
const OLDER_ROWS = 50_000;
/** Matches among the newest rows that mark a word as not rare (1 in 500). */
const SOME_MATCHES = 20;
/** Matching messages (and subjects) ranked per search: the newest ones. */
const CANDIDATES = 200;
/** A customer's search covers their newest tickets, this many. */
const OWN_TICKETS = 500;
/** Customers found by name or @username, and tickets taken from each. */
const NAMED_CUSTOMERS = 20;
const TICKETS_PER_CUSTOMER = 20;
const MAX_WORDS = 8;

export interface SearchTerms {
  /** Lower-case words (letters and digits); the last one, of 3 letters or more, also matches as a prefix. */
  words: string[];
  /** `123` or `#123`. */
  ticketId?: number;
  /** What a name or @username would contain (3 characters or more), lower case. */
  name?: string;
  /** The beginning of a phone's digits (`+7 999 123`, 5 digits or more): customers who shared that phone. */
  phone?: string;
}

export function searchTerms(q: string): SearchTerms {
  const text = q.trim().toLowerCase();
  const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS).map((w) => w.slice(0, 64));
  const id = /^#?([1-9][0-9]{0,8})$/.exec(text)?.[1];
  const name = text.replace(/^@/, '');
  const phone = /^\+?[0-9][0-9 ()-]{3,30}$/.test(text) ? text.replace(/[^0-9]/g, '') : '';
  return {
    words,
    ...(id ? { ticketId: Number(id) } : {}),
    ...(name.length >= 3 ? { name } : {}),
    ...(phone.length >= 5 ? { phone } : {}),
  };
}

/**
 * The words as one tsquery: every word must be in the text (one message, or the subject), each in its Russian
 * or English form (оплата finds оплаты, оплатить), the last one also as the beginning of a word while it is
 * typed. Words are letters and digits only, so nothing in them is tsquery syntax.
 */
function wordsQuery(words: string[], prefix = true): SQL {
  const parts = words.map((w, i) => {
    const term = prefix && i === words.length - 1 && w.length >= 3 ? `${w}:*` : w;
    return sql`(to_tsquery('russian', ${term}) || to_tsquery('english', ${term}))`;
  });
  return sql`(${sql.join(parts, sql` && `)})`;
}

/**
 * The newest `CANDIDATES` rows of `table` whose vector matches, at a cost that never grows with the table
 * nor with the number of matches. The newest `RECENT_ROWS` rows are read in key order first; a common word is
 * found there. If they hold some matches but too few (a word in fewer than 1 row in 50, more than 1 in 500),
 * the next `OLDER_ROWS` are read the same way, and the page is made of what those hold: the GIN index would
 * hand over every match of such a word. Only when the newest rows hold almost none (a rare word, which has
 * few anywhere) does the GIN index give the older ones. `+ 0` keeps the planner from walking the key index
 * there on a wrong guess of a word's count. (There the last of several words matches whole, not as a prefix.)
 */
function newestMatches(name: string, table: 'messages' | 'tickets', words: string[], ref: SQL): SQL {
  const query = wordsQuery(words);
  // A prefix in the index costs every entry that starts with it (all of a common word's), even next to a
  // rare word: with other words the index takes the last one whole; one word alone keeps its prefix.
  const indexed = words.length > 1 ? wordsQuery(words, false) : query;
  const t = sql.raw(table);
  const hits = sql.raw(`${name}_hits`);
  const found = sql`(select count(*) from ${hits})`;
  const boundName = sql.raw(`${name}_bound`);
  const bound = sql`(select id from ${boundName})`;
  return sql`${boundName} as (select coalesce((select id from ${t} order by id desc offset ${RECENT_ROWS - 1} limit 1), 0) as id),
    ${hits} as (select r.id, r.ref, ts_rank(r.search, ${query}) as rank
      from (select x.id, x.search, ${ref} as ref from ${t} x order by x.id desc limit ${RECENT_ROWS}) r
      where r.search @@ ${query} order by r.id desc limit ${CANDIDATES}),
    ${sql.raw(`${name}_older`)} as (select r.id, r.ref, ts_rank(r.search, ${query}) as rank
      from (select x.id, x.search, ${ref} as ref from ${t} x where x.id < ${bound}
        order by x.id desc limit ${OLDER_ROWS}) r
      where r.search @@ ${query} and ${found} between ${SOME_MATCHES} and ${CANDIDATES - 1}
      order by r.id desc limit ${CANDIDATES}),
    ${sql.raw(`${name}_old`)} as (select x.id, ${ref} as ref, ts_rank(x.search, ${query}) as rank from ${t} x
      where x.search @@ ${indexed} and x.id + 0 < ${bound} and ${found} < ${SOME_MATCHES}
      order by x.id + 0 desc limit ${CANDIDATES})`;
}

/**
 * Candidate rows `(ticket_id, rank, message_id)` of each kind of term. Staff see every ticket and note; a
 * search within one customer's tickets (a customer's own, or staff's `customer` filter) reads through those.
 */
function candidates(
  actor: Actor,
  terms: SearchTerms,
  customerId: number | undefined,
): { ctes: SQL[]; rows: SQL[] } {
  const ctes: SQL[] = [];
  const rows: SQL[] = [];
  const staff = isStaff(actor.role);
  if (terms.words.length > 0) {
    const query = wordsQuery(terms.words);
    if (customerId === undefined) {
      ctes.push(newestMatches('msg', 'messages', terms.words, sql`x.ticket_id`));
      ctes.push(newestMatches('subj', 'tickets', terms.words, sql`x.id`));
      rows.push(
        sql`select ref, rank, id from msg_hits union all select ref, rank, id from msg_older union all select ref, rank, id from msg_old`,
      );
      rows.push(
        sql`select ref, rank * 2, null::bigint from subj_hits union all select ref, rank * 2, null from subj_older
          union all select ref, rank * 2, null from subj_old`,
      );
    } else {
      // One customer's newest tickets, read through those; a customer never matches a note.
      ctes.push(sql`own as (select id, search from tickets where customer_id = ${customerId}
        order by last_message_at desc, id desc limit ${OWN_TICKETS}),
      own_hits as (select m.id, m.ticket_id, ts_rank(m.search, ${query}) as rank from own
        cross join lateral (select id, ticket_id, search from messages where ticket_id = own.id
          ${staff ? sql`` : sql`and kind <> 'note'`} and search @@ ${query}) m
        order by m.id desc limit ${CANDIDATES})`);
      rows.push(sql`select ticket_id, rank, id from own_hits`);
      rows.push(
        sql`select id, ts_rank(search, ${query}) * 2, null::bigint from own where search @@ ${query}`,
      );
    }
  }
  if (terms.ticketId !== undefined) {
    rows.push(sql`select id, 100::real, null::bigint from tickets where id = ${terms.ticketId}
      ${staff ? sql`` : sql`and customer_id = ${actor.id}`}`);
  }
  if (staff && terms.name !== undefined) {
    // Trigrams of name and @username (users_name_trgm_idx): the closest customers, then their newest tickets.
    ctes.push(sql`named as (select id, similarity(${searchableName}, ${terms.name}) as sim from users
        where ${searchableName} like ${likeTerm(terms.name)} order by sim desc, id desc limit ${NAMED_CUSTOMERS})`);
    rows.push(sql`select t.id, 1 + named.sim, null::bigint from named cross join lateral (select id from tickets
      where customer_id = named.id order by last_message_at desc, id desc limit ${TICKETS_PER_CUSTOMER}) t`);
  }
  if (staff && terms.phone !== undefined) {
    // The beginning of the digits (users_phone_idx, text_pattern_ops): those customers' newest tickets.
    ctes.push(sql`phoned as (select id from users where phone like ${`${terms.phone}%`}
        order by phone, id limit ${NAMED_CUSTOMERS})`);
    rows.push(sql`select t.id, 3::real, null::bigint from phoned cross join lateral (select id from tickets
      where customer_id = phoned.id order by last_message_at desc, id desc limit ${TICKETS_PER_CUSTOMER}) t`);
  }
  return { ctes, rows };
}

interface Hit extends Record<string, unknown> {
  ticket_id: number;
  message_id: number | null;
  snippet: string | null;
}

/**
 * The best-ranked page of tickets for search text, each with its best matching message and a snippet of
 * it (`match`). Kinds of terms take separate query shapes: a number looks up the ticket, a name or
 * @username the customers by trigram, words the newest matching messages and subjects (Russian and English
 * stems, the last word also as a prefix). `where` holds the list's filters (and a customer's own tickets).
 * One page: ranked results carry no cursor.
 */
export async function searchTickets(
  q: Queryable,
  actor: Actor,
  text: string,
  where: SQL[],
  limit: number,
  /** Staff's `customer` filter: the search reads that customer's tickets instead of the newest of all. */
  customer?: number,
): Promise<TicketPage> {
  const terms = searchTerms(text);
  const { ctes, rows } = candidates(actor, terms, isStaff(actor.role) ? customer : actor.id);
  if (rows.length === 0) return { items: [], nextCursor: null };
  const filter = where.length > 0 ? and(...where) : sql`true`;
  const headline =
    terms.words.length > 0
      ? sql`ts_headline('russian', m.body, ${wordsQuery(terms.words)}, 'MaxFragments=1, MaxWords=24, MinWords=8, StartSel="", StopSel=""')`
      : sql`null`;
  const statement = sql`with ${sql.join([...ctes, sql``], sql`, `)}
    cand as (select ref as ticket_id, max(rank) as rank,
        (array_agg(message_id order by rank desc, message_id desc) filter (where message_id is not null))[1] as message_id
      from (${sql.join(rows, sql` union all `)}) as c(ref, rank, message_id) group by ref),
    page as (select cand.ticket_id, cand.message_id, cand.rank, tickets.last_message_at from cand
      join tickets on tickets.id = cand.ticket_id where ${filter}
      order by cand.rank desc, tickets.last_message_at desc, tickets.id desc limit ${limit})
    select page.ticket_id, page.message_id, ${headline} as snippet from page
      left join messages m on m.id = page.message_id
    order by page.rank desc, page.last_message_at desc, page.ticket_id desc`;
  const hits = await searchPlanner(q, async (tx) => (await tx.execute<Hit>(statement)).rows);
  if (hits.length === 0) return { items: [], nextCursor: null };
  const listed = await listedTickets(
    q,
    actor,
    and(
      inArray(
        tickets.id,
        hits.map((h) => h.ticket_id),
      ),
      ...where,
    ),
    hits.length,
  );
  const byId = new Map(listed.map((l) => [l.item.id, l.item]));
  return {
    items: hits.flatMap((h) => {
      const item = byId.get(h.ticket_id);
      if (!item) return [];
      const match =
        h.message_id === null ? null : { messageId: Number(h.message_id), snippet: h.snippet ?? '' };
      return [{ ...item, match }];
    }),
    nextCursor: null,
  };
}

/**
 * Runs the search with sequential scans priced out, no parallel workers and no JIT (in its own transaction,
 * or restored after it in the caller's): the older matches must come from the GIN index whatever the planner
 * guesses a word's count is, and workers launched for (or JIT compiling of) branches that mostly never run
 * cost far more than they do: their estimates (every match of a common word) pass JIT's thresholds, and
 * compiling took 3 s of a 26 ms statement at 1M tickets.
 */
async function searchPlanner<T>(q: Queryable, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  const run = async (tx: Transaction) => {
    await tx.execute(
      sql`select set_config('enable_seqscan', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),
        set_config('jit', 'off', true)`,
    );
    try {
      return await fn(tx);
    } finally {
      if (isTransaction(q)) {
        await tx.execute(sql`set local enable_seqscan to default`);
        await tx.execute(sql`set local max_parallel_workers_per_gather to default`);
        await tx.execute(sql`set local jit to default`);
      }
    }
  };
  return isTransaction(q) ? run(q) : runTransaction(q, run);
}
