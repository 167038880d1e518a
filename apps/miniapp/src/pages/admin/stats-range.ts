import type { Stats } from '../../types';

/** The ranges the dashboard offers (days, today included); 30 is the API's default. */
export const STATS_RANGES = [7, 30, 90, 365] as const;
export type StatsRangeDays = (typeof STATS_RANGES)[number];

const DAY_MS = 86_400_000;

/** `GET /stats?from=&to=` for the last `days` UTC days, today included. */
export function rangeOf(days: number, now: Date = new Date()): { from: string; to: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(now.getTime() - (days - 1) * DAY_MS), to: day(now.getTime()) };
}

/** Chart bars: one per day up to a month, else one per 7 days (summed, labelled by their first day). */
export function chartBars(perDay: Stats['perDay']): { bars: Stats['perDay']; weekly: boolean } {
  if (perDay.length <= 31) return { bars: perDay, weekly: false };
  const bars: Stats['perDay'] = [];
  // Weeks end on the last day, so the newest bar is a whole week.
  for (let end = perDay.length; end > 0; end -= 7) {
    const week = perDay.slice(Math.max(0, end - 7), end);
    bars.unshift({
      date: week[0]?.date ?? '',
      created: week.reduce((n, d) => n + d.created, 0),
      resolved: week.reduce((n, d) => n + d.resolved, 0),
    });
  }
  return { bars, weekly: true };
}
