import { setLanguage } from './i18n';
import { byDue, fitsSlaFilter, formatSpans, nearestDue, parseSpans, slaBadge } from './sla';

const at = (iso: string | null) => iso;
const sla = (first: string | null, next: string | null = null, resolution: string | null = null) => ({
  sla: {
    firstResponseDueAt: at(first),
    nextResponseDueAt: at(next),
    resolutionDueAt: at(resolution),
    breachedAt: null,
    pausedAt: null,
  },
});
const now = Date.parse('2026-12-04T12:00:00Z');

beforeAll(() => setLanguage('en'));

test('the nearest running timer is the one shown', () => {
  expect(nearestDue(sla(null, '2026-12-04T15:00:00Z', '2026-12-04T13:00:00Z'))).toBe(
    Date.parse('2026-12-04T13:00:00Z'),
  );
  expect(nearestDue(sla(null))).toBeNull();
});

test('overdue, or due in words', () => {
  expect(slaBadge(sla('2026-12-04T11:59:00Z'), now)).toEqual({ overdue: true, text: 'overdue' });
  expect(slaBadge(sla('2026-12-04T12:45:00Z'), now)).toEqual({ overdue: false, text: 'due in 45 min' });
  expect(slaBadge(sla('2026-12-04T14:00:00Z'), now)).toEqual({ overdue: false, text: 'due in 2 h' });
  expect(slaBadge(sla(null), now)).toBeNull();
  setLanguage('ru');
  expect(slaBadge(sla('2026-12-04T11:00:00Z'), now)?.text).toBe('просрочен');
  setLanguage('en');
});

test('due order: nearest first, no timer last', () => {
  const a = { id: 1, ...sla('2026-12-04T14:00:00Z') };
  const b = { id: 2, ...sla('2026-12-04T13:00:00Z') };
  const c = { id: 3, ...sla(null) };
  expect([a, c, b].sort(byDue).map((x) => x.id)).toEqual([2, 1, 3]);
});

test('the sla filter for live updates matches the server’s: past due, or within the hour', () => {
  expect(fitsSlaFilter(sla('2026-12-04T11:00:00Z'), 'breached', now)).toBe(true);
  expect(fitsSlaFilter(sla('2026-12-04T12:30:00Z'), 'breached', now)).toBe(false);
  expect(fitsSlaFilter(sla('2026-12-04T12:30:00Z'), 'due_soon', now)).toBe(true);
  expect(fitsSlaFilter(sla('2026-12-04T13:30:00Z'), 'due_soon', now)).toBe(false);
  expect(fitsSlaFilter(sla(null), '', now)).toBe(true);
});

test('business-hour spans read and write as text', () => {
  expect(parseSpans('09:00-18:00, 20:00 - 02:00')).toEqual([
    ['09:00', '18:00'],
    ['20:00', '02:00'],
  ]);
  expect(parseSpans('')).toEqual([]);
  expect(parseSpans('9-18')).toBeNull();
  expect(formatSpans([['09:00', '18:00']])).toBe('09:00-18:00');
});
