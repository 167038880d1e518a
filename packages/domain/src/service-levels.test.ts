import {
  fillAutoReply,
  formatExpectedTime,
  isKnownTimeZone,
  type ServiceLevels,
  serviceLevelsSchema,
} from './service-levels';

const valid: ServiceLevels = {
  timezone: 'Europe/Moscow',
  hours: {
    mon: [['09:00', '18:00']],
    tue: [['09:00', '18:00']],
    wed: [['09:00', '18:00']],
    thu: [['09:00', '18:00']],
    fri: [['22:00', '02:00']],
    sat: [],
    sun: [['00:00', '24:00']],
  },
  holidays: ['2027-01-01'],
  targets: {
    low: { firstResponseMin: 480, nextResponseMin: 960, resolutionMin: 4320 },
    normal: { firstResponseMin: 240, nextResponseMin: 480, resolutionMin: 1440 },
    high: { firstResponseMin: 60, nextResponseMin: 120, resolutionMin: 480 },
    urgent: { firstResponseMin: 15, nextResponseMin: 30, resolutionMin: 240 },
  },
  assignment: { mode: 'round_robin', maxOpenPerAgent: 10 },
  autoReply: { enabled: true, ru: 'Ответим {time}', en: 'We answer {time}' },
};

const pathsOf = (input: unknown) => {
  const result = serviceLevelsSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
};

describe('serviceLevelsSchema', () => {
  test('takes the contract shape, spans past midnight and 24:00 included', () => {
    expect(pathsOf(valid)).toEqual([]);
  });
  test.each([
    ['timezone', { timezone: 'Moscow' }],
    ['hours.mon.0.0', { hours: { ...valid.hours, mon: [['9:00', '18:00']] } }],
    ['hours.mon.0', { hours: { ...valid.hours, mon: [['09:00', '09:00']] } }],
    ['hours.mon.0', { hours: { ...valid.hours, mon: [['24:00', '02:00']] } }],
    ['hours', { hours: { ...valid.hours, holiday: [] } }],
    ['holidays.0', { holidays: ['2027-02-30x'] }],
    [
      'targets.urgent.resolutionMin',
      { targets: { ...valid.targets, urgent: { ...valid.targets.urgent, resolutionMin: 1.5 } } },
    ],
    ['assignment.maxOpenPerAgent', { assignment: { mode: 'manual', maxOpenPerAgent: 0 } }],
    ['autoReply.ru', { autoReply: { enabled: true, ru: '   ', en: 'x' } }],
  ])('names %s when it is wrong', (path, patch) => {
    expect(pathsOf({ ...valid, ...patch })).toContain(path);
  });
  test('a week without any business hours is refused at hours', () => {
    const empty = Object.fromEntries(Object.keys(valid.hours).map((d) => [d, []]));
    expect(pathsOf({ ...valid, hours: empty })).toEqual(['hours']);
  });
});

test('time zones are the IANA names Intl knows', () => {
  expect(isKnownTimeZone('Asia/Yekaterinburg')).toBe(true);
  expect(isKnownTimeZone('UTC')).toBe(true);
  expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  expect(isKnownTimeZone('')).toBe(false);
});

test('the auto-reply puts the expected time in its place, or after the text without one', () => {
  expect(fillAutoReply(valid, 'en', 'Mon 09:00')).toBe('We answer Mon 09:00');
  expect(
    fillAutoReply({ ...valid, autoReply: { ...valid.autoReply, ru: 'Мы ответим.' } }, 'ru', 'пн 09:00'),
  ).toBe('Мы ответим. пн 09:00');
});

test('the expected time reads in the business zone and the customer language', () => {
  const monday9Moscow = new Date('2026-12-07T06:00:00Z');
  expect(formatExpectedTime(monday9Moscow, 'Europe/Moscow', 'en')).toMatch(/Mon.*7 December.*09:00/);
  expect(formatExpectedTime(monday9Moscow, 'Europe/Moscow', 'ru')).toMatch(/пн.*7 декабря.*09:00/);
});
