import { z } from 'zod';
import { ValidationError } from './errors';

/** Days the stats cover when the query names none (today and the 29 before it, UTC). */
export const STATS_DEFAULT_DAYS = 30;
/** The longest range one stats request may ask for. */
export const STATS_MAX_DAYS = 366;

const DAY_MS = 86_400_000;

/** A UTC calendar day as `YYYY-MM-DD` from 1970 on; `2026-02-30` is refused, not rolled over. */
const daySchema = z
  .string()
  .refine((s) => {
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(s) || s < '1970') return false;
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'must be a date YYYY-MM-DD (a real calendar day, 1970 or later)')
  .describe('a UTC calendar day, YYYY-MM-DD (inclusive)');

/** `GET /stats?from=YYYY-MM-DD&to=YYYY-MM-DD`: both optional, inclusive UTC days. */
export const statsQuerySchema = z.strictObject({
  from: daySchema.optional(),
  to: daySchema.optional(),
});
export type StatsQuery = z.output<typeof statsQuerySchema>;

export interface StatsRange {
  from: string;
  to: string;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The inclusive range a stats query asks for: `to` defaults to today (UTC), `from` to 29 days before `to`.
 * `from` after `to`, or more than STATS_MAX_DAYS days, is a validation error naming the field.
 */
export function statsRange(raw: unknown, now: Date = new Date()): StatsRange {
  const parsed = statsQuerySchema.safeParse(raw ?? {});
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const toMs = Date.parse(`${parsed.data.to ?? dayOf(now.getTime())}T00:00:00Z`);
  const fromMs = parsed.data.from
    ? Date.parse(`${parsed.data.from}T00:00:00Z`)
    : toMs - (STATS_DEFAULT_DAYS - 1) * DAY_MS;
  if (fromMs > toMs)
    throw new ValidationError([{ path: 'from', message: 'must not be after to (default: today, UTC)' }]);
  if ((toMs - fromMs) / DAY_MS + 1 > STATS_MAX_DAYS) {
    throw new ValidationError([{ path: 'to', message: `the range must be at most ${STATS_MAX_DAYS} days` }]);
  }
  return { from: dayOf(fromMs), to: dayOf(toMs) };
}

/** One agent's row of `GET /stats/agents`: the tickets they resolved in the range (the report's contract). */
export const agentReportRowSchema = z.object({
  agentId: z.number().int(),
  name: z.string(),
  username: z.string().nullable(),
  /** Tickets resolved in the range while assigned to this agent. */
  handled: z.number().int(),
  /** Medians over those tickets (log-scale histograms: within 4.4%); null when none was measured. */
  firstResponseMedianMs: z.number().nullable(),
  resolutionMedianMs: z.number().nullable(),
  /** Of `handled`, how many never breached an SLA timer; `slaMetPercent` rounds slaMet / handled. */
  slaMet: z.number().int(),
  slaMetPercent: z.number().nullable(),
  /** The customers' ratings of those tickets. */
  csat: z.object({ average: z.number().nullable(), count: z.number().int() }),
});
export type AgentReportRow = z.infer<typeof agentReportRowSchema>;

/** `GET /stats/agents`: the range, and its agents, most tickets handled first, then by agent id. */
export const agentReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  agents: z.array(agentReportRowSchema),
});
export type AgentReport = z.infer<typeof agentReportSchema>;
