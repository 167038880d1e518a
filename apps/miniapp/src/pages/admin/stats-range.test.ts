import { chartBars, rangeOf } from './stats-range';

describe('the dashboard range', () => {
  it('asks for the last n UTC days, today included', () => {
    const now = new Date('2026-03-01T23:30:00Z');
    expect(rangeOf(7, now)).toEqual({ from: '2026-02-23', to: '2026-03-01' });
    expect(rangeOf(365, now)).toEqual({ from: '2025-03-02', to: '2026-03-01' });
  });

  it('charts a day per bar up to a month, then weeks summed from the newest day back', () => {
    const days = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ date: `d${i}`, created: 1, resolved: i % 2 }));
    expect(chartBars(days(30))).toEqual({ bars: days(30), weekly: false });
    const { bars, weekly } = chartBars(days(90));
    expect(weekly).toBe(true);
    expect(bars).toHaveLength(13);
    expect(bars[12]).toEqual({ date: 'd83', created: 7, resolved: 4 });
    expect(bars[0]).toEqual({ date: 'd0', created: 6, resolved: 3 });
    expect(bars.reduce((n, b) => n + b.created, 0)).toBe(90);
  });
});
