import type { ExportCursor } from '@tikethet/db';
import { agentReportSchema, canViewStats, statsQuerySchema, statsRange } from '@tikethet/domain';
import { csvRow, startCsv, writeCsv } from '../http/csv';
import { type RouteDef, STREAMED } from './route';

const RANGE_RULE =
  '`from` and `to`: YYYY-MM-DD (inclusive UTC days); default the last 30 days, at most 366; `from` after `to` is a 400.';

const AGENT_COLUMNS = [
  'agent_id',
  'agent',
  'username',
  'handled',
  'first_response_median_s',
  'resolution_median_s',
  'sla_met',
  'sla_met_percent',
  'csat_average',
  'csat_count',
];

const TICKET_COLUMNS = [
  'id',
  'created_at',
  'subject',
  'status',
  'priority',
  'category',
  'customer_id',
  'customer',
  'assignee_id',
  'assignee',
  'first_response_at',
  'resolved_at',
  'sla_breached_at',
  'rating',
  'rating_comment',
  'tags',
];

/** Tickets one page of the export reads: the memory an export holds, however long its range. */
const EXPORT_PAGE = 500;

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

export const reportRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/stats/agents',
    access: 'staff',
    guard: canViewStats,
    summary: 'Per agent: tickets resolved in the range, response medians, SLA met, CSAT',
    description: `${RANGE_RULE} A ticket counts for its assignee on the day it was resolved.`,
    query: statsQuerySchema,
    response: agentReportSchema,
    handle: ({ services, actor, query }) =>
      services.reads.run(actor, (uc) => uc.getAgentReport(actor, query)),
  },
  {
    method: 'get',
    path: '/stats/agents.csv',
    access: 'staff',
    guard: canViewStats,
    csv: true,
    summary: 'The per-agent table as CSV',
    description: `${RANGE_RULE} Durations in seconds.`,
    query: statsQuerySchema,
    async handle({ services, actor, query, res }) {
      const report = await services.reads.run(actor, (uc) => uc.getAgentReport(actor, query));
      startCsv(res, `agents-${report.from}-${report.to}.csv`);
      let body = csvRow(AGENT_COLUMNS);
      for (const a of report.agents) {
        body += csvRow([
          a.agentId,
          a.name,
          a.username,
          a.handled,
          seconds(a.firstResponseMedianMs),
          seconds(a.resolutionMedianMs),
          a.slaMet,
          a.slaMetPercent,
          a.csat.average === null ? null : Math.round(a.csat.average * 100) / 100,
          a.csat.count,
        ]);
      }
      await writeCsv(res, body);
      res.end();
      return STREAMED;
    },
  },
  {
    method: 'get',
    path: '/stats/tickets.csv',
    access: 'staff',
    guard: canViewStats,
    csv: true,
    summary: 'The tickets created in the range as CSV, streamed',
    description: `${RANGE_RULE} Read ${EXPORT_PAGE} tickets at a time in creation order; times in UTC ISO-8601.`,
    query: statsQuerySchema,
    async handle({ services, actor, query, res }) {
      const range = statsRange(query);
      // The first page before any byte: a refusal is still a JSON error.
      let page = await services.reads.run(actor, (uc) =>
        uc.exportTicketsPage(actor, range, null, EXPORT_PAGE),
      );
      startCsv(res, `tickets-${range.from}-${range.to}.csv`);
      if (!(await writeCsv(res, csvRow(TICKET_COLUMNS)))) return STREAMED;
      for (;;) {
        const body = page.items
          .map((t) =>
            csvRow([
              t.id,
              t.createdAt,
              t.subject,
              t.status,
              t.priority,
              t.category,
              t.customerId,
              t.customerName,
              t.assigneeId,
              t.assigneeName,
              t.firstResponseAt,
              t.resolvedAt,
              t.slaBreachedAt,
              t.rating,
              t.ratingComment,
              t.tags.join(' '),
            ]),
          )
          .join('');
        if (!(await writeCsv(res, body))) return STREAMED;
        const after: ExportCursor | null = page.next;
        if (!after) break;
        try {
          page = await services.reads.run(actor, (uc) =>
            uc.exportTicketsPage(actor, range, after, EXPORT_PAGE),
          );
        } catch (error) {
          // Half a file must not look complete: cut the connection.
          services.logger.error({ err: error }, 'tickets export failed mid-stream');
          res.destroy();
          return STREAMED;
        }
      }
      res.end();
      return STREAMED;
    },
  },
];
