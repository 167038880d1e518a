import { ValidationError } from './errors';
import { STATS_MAX_DAYS, statsRange } from './stats';

const now = new Date('2026-12-04T15:00:00Z');

function issuesOf(raw: unknown): Array<{ path: string; message: string }> {
  try {
    statsRange(raw, now);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a validation error');
}

describe('statsRange', () => {
  it('defaults to the last 30 UTC days, today included', () => {
    expect(statsRange({}, now)).toEqual({ from: '2026-11-05', to: '2026-12-04' });
    expect(statsRange(undefined, now)).toEqual({ from: '2026-11-05', to: '2026-12-04' });
  });

  it('takes from and to as inclusive days; from alone ends today, to alone starts 29 days before', () => {
    expect(statsRange({ from: '2026-01-01', to: '2026-01-01' }, now)).toEqual({
      from: '2026-01-01',
      to: '2026-01-01',
    });
    expect(statsRange({ from: '2026-12-01' }, now)).toEqual({ from: '2026-12-01', to: '2026-12-04' });
    expect(statsRange({ to: '2024-03-01' }, now)).toEqual({ from: '2024-02-01', to: '2024-03-01' });
  });

  it(`allows ${STATS_MAX_DAYS} days and refuses one more, naming to`, () => {
    expect(statsRange({ from: '2025-01-01', to: '2026-01-01' }, now)).toEqual({
      from: '2025-01-01',
      to: '2026-01-01',
    });
    expect(issuesOf({ from: '2025-01-01', to: '2026-01-02' })).toEqual([
      { path: 'to', message: expect.stringContaining(String(STATS_MAX_DAYS)) },
    ]);
  });

  it('refuses from after to, naming from (also against the default to, today)', () => {
    expect(issuesOf({ from: '2026-02-02', to: '2026-02-01' })).toEqual([
      { path: 'from', message: expect.stringContaining('after') },
    ]);
    expect(issuesOf({ from: '2026-12-05' })[0]?.path).toBe('from');
  });

  it('refuses anything but a real YYYY-MM-DD day, naming the field', () => {
    for (const bad of [
      '2026-02-30',
      '2026-13-01',
      '26-01-01',
      '2026-1-1',
      'yesterday',
      '0000-01-01',
      '1969-12-31',
    ]) {
      expect(issuesOf({ from: bad, to: '2026-12-01' }).map((i) => i.path)).toEqual(['from']);
      expect(issuesOf({ to: bad }).map((i) => i.path)).toEqual(['to']);
    }
    expect(issuesOf({ from: ['2026-01-01', '2026-01-02'] }).map((i) => i.path)).toEqual(['from']);
  });

  it('refuses unknown parameters by name', () => {
    expect(issuesOf({ days: '7' }).map((i) => i.path)).toEqual(['days']);
  });
});
