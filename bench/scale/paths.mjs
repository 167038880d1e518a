// The read paths the scale bench times, as the Mini App calls them (QueuePage's tabs, filters and the due
// order at 50 rows, MyTicketsPage, the ticket screen, the customer card, StatsPage and the reports), one the
// bot runs (a topic's ticket by its thread, a packages/db function called directly), and the targets of
// issue #14 per group: p95 at the big database over p95 at 10k; search also ≤ 150 ms absolute.
import { TOPIC_CHAT, threadOf } from './enrich.mjs';
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

const range = (r) => new URLSearchParams(r).toString();

/**
 * `ctx` (per database): ids (ticket ids to cycle through), cursor, category, ticketNumber, name, username,
 * phone (the beginning of shared phones), customerId (the heaviest customer), attachments ({ min, max } ids),
 * year ({ from, to }: the last 366 days), exportRange ({ from, to }: holding about as many tickets in both
 * databases, so the export compares pages, not range sizes).
 */
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
  list('queue-due', 'due order (sort=due: nearest SLA due time first)', { sort: 'due' }),
  list('sla-breached', 'sla=breached', { sla: 'breached' }),
  list('sla-due-soon', 'sla=due_soon (due within the hour)', { sla: 'due_soon' }),
  list('tag-common', 'tag=billing (1 ticket in 5)', { tag: 'billing' }),
  list('tag-rare', 'tag=legal (1 ticket in 2000)', { tag: 'legal' }),
  search('search-phone', 'search a phone «+7 900 002» (beginning of the digits)', (ctx) => ctx.phone),
  {
    key: 'customer-card',
    label: 'customer card with history (their heaviest)',
    group: 'list',
    url: (ctx) => `/api/v1/customers/${ctx.customerId}`,
  },
  {
    key: 'attachment',
    label: 'an attachment (permission lookup, 4-byte blob)',
    group: 'list',
    url: (ctx, i) =>
      `/api/v1/attachments/${ctx.attachments.min + (((i + 1) * 7919) % (ctx.attachments.max - ctx.attachments.min + 1))}`,
  },
  {
    key: 'topic-by-thread',
    label: "bot: a topic's ticket by its thread (findTopicByThread)",
    group: 'list',
    db: (ctx, i) => ({ fn: 'findTopicByThread', args: [TOPIC_CHAT, threadOf(ctx.ids[i % ctx.ids.length])] }),
  },
  { key: 'tags', label: 'tags in use (GET /tags)', group: 'list', url: () => '/api/v1/tags' },
  { key: 'tags-prefix', label: 'tags autocomplete (q=de)', group: 'list', url: () => '/api/v1/tags?q=de' },
  {
    key: 'stats',
    label: 'stats (30 days: tag counts, CSAT comments)',
    group: 'stats',
    url: () => '/api/v1/stats',
  },
  {
    key: 'stats-year',
    label: 'stats, 366 days',
    group: 'stats',
    url: (ctx) => `/api/v1/stats?${range(ctx.year)}`,
  },
  {
    key: 'report-agents',
    label: 'agents report (30 days)',
    group: 'stats',
    url: () => '/api/v1/stats/agents',
  },
  {
    key: 'report-agents-year',
    label: 'agents report, 366 days',
    group: 'stats',
    url: (ctx) => `/api/v1/stats/agents?${range(ctx.year)}`,
  },
  {
    key: 'report-agents-csv',
    label: 'agents report as CSV (30 days)',
    group: 'stats',
    url: () => '/api/v1/stats/agents.csv',
  },
  {
    key: 'export-csv',
    label: 'tickets CSV export (a range of ~1,300 tickets in both: 3 pages)',
    group: 'stats',
    url: (ctx) => `/api/v1/stats/tickets.csv?${range(ctx.exportRange)}`,
  },
];
