// The read paths the scale bench times, as the Mini App calls them (QueuePage's tabs and filters at 50 rows,
// MyTicketsPage, the ticket screen, StatsPage), and the targets of issue #14 per group: p95 at the big
// database over p95 at 10k; search also ≤ 150 ms absolute.
import { rareWord } from './words.mjs';

export const targets = {
  list: { ratio: 2 },
  search: { ratio: 3, absoluteMs: 150 },
  stats: { ratio: 3 },
};

const tickets = (params) => `/api/v1/tickets?${new URLSearchParams({ ...params, limit: '50' })}`;
const open = 'new,open,pending';
/** `params`: the list's query, or a function of the database's context giving it. */
const list = (key, label, params, extra = {}) => ({
  key,
  label,
  group: 'list',
  url: (ctx) => tickets(typeof params === 'function' ? params(ctx) : params),
  ...extra,
});
const search = (key, label, q) => list(key, label, (ctx) => ({ q: q(ctx) }), { group: 'search' });
const ticketPath = (suffix) => (ctx, i) => `/api/v1/tickets/${ctx.ids[i % ctx.ids.length]}${suffix}`;

/** `ctx` (per database): ids (ticket ids to cycle through), cursor, category, ticketNumber, name, username. */
export const paths = [
  list('queue-all', 'queue "all", 50 rows', {}),
  list('queue-unassigned', 'unassigned tab (new, open, pending, no assignee)', {
    assignee: 'none',
    status: open,
  }),
  list('queue-mine', 'mine tab (new, open, pending, assignee me)', { assignee: 'me', status: open }),
  list('status-pending', 'status=pending', { status: 'pending' }),
  list('priority-urgent', 'priority=urgent', { priority: 'urgent' }),
  list('category', 'category filter', (ctx) => ({ category: String(ctx.category) })),
  list('page-2', 'queue "all", page 2 (cursor)', (ctx) => ({ cursor: ctx.cursor })),
  { key: 'ticket', label: 'one ticket', group: 'list', url: ticketPath('') },
  { key: 'messages', label: "a ticket's messages", group: 'list', url: ticketPath('/messages') },
  list('customer-list', "a customer's own list (their heaviest)", {}, { as: 'customer' }),
  search('search-common', 'search «оплата» (common word)', () => 'оплата'),
  search('search-rare', `search «${rareWord}» (rare word)`, () => rareWord),
  search('search-two', 'search «оплата картой» (two words)', () => 'оплата картой'),
  search('search-prefix', 'search «опла» (prefix while typing)', () => 'опла'),
  search('search-number', 'search a ticket number (#id)', (ctx) => `#${ctx.ticketNumber}`),
  search('search-name', 'search a customer name', (ctx) => ctx.name),
  search('search-username', 'search @username', (ctx) => `@${ctx.username}`),
  { key: 'stats', label: 'stats', group: 'stats', url: () => '/api/v1/stats' },
];
