import { type DbFixture, setupDb } from './helpers';

/**
 * The business-time arithmetic of migration 0009 (tikethet_business_add / tikethet_business_seconds) held
 * against a plain minute-by-minute reference: random weekly schedules (spans past midnight, empty days,
 * holidays) in zones with and without DST, starts around the DST changes.
 */
let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('business_time', 4);
});
afterAll(async () => {
  await f.close();
});

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Span = [string, string];
interface Schedule {
  timezone: string;
  hours: Record<(typeof DAYS)[number], Span[]>;
  holidays: string[];
}

/** Seeded PRNG (mulberry32): a failure names its seed and reruns the same. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Span edges stay clear of the hours DST changes happen in (01:00-04:00 local), where a wall time is missing
// or twice: there Postgres's reading of a local time is the rule and the reference has none.
const STARTS = [
  '00:00',
  '00:30',
  '05:00',
  '08:00',
  '09:00',
  '12:30',
  '13:30',
  '18:00',
  '20:00',
  '22:00',
  '23:30',
];
const ENDS = [
  '00:30',
  '05:00',
  '08:00',
  '09:00',
  '12:30',
  '13:30',
  '18:00',
  '20:00',
  '22:00',
  '23:30',
  '24:00',
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Europe/Moscow'];
// Around DST changes: Europe 2026-03-29 and 2026-10-25, America 2026-03-08 and 2026-11-01.
const ANCHORS = [
  '2026-03-06T00:00Z',
  '2026-03-27T00:00Z',
  '2026-10-23T00:00Z',
  '2026-10-30T00:00Z',
  '2026-12-24T00:00Z',
];

function randomSchedule(r: () => number): Schedule {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  const hours = {} as Schedule['hours'];
  for (const d of DAYS) {
    const spans: Span[] = [];
    const n = r() < 0.25 ? 0 : r() < 0.8 ? 1 : 2;
    for (let i = 0; i < n; i++) {
      const a = pick(STARTS);
      let b = pick(ENDS);
      if (b === a) b = '24:00';
      spans.push([a, b]);
    }
    hours[d] = spans;
  }
  if (DAYS.every((d) => hours[d].length === 0)) hours.mon = [['09:00', '18:00']];
  const holidays: string[] = [];
  const anchor = Date.parse(pick(ANCHORS));
  for (let i = 0; i < 3; i++) {
    holidays.push(new Date(anchor + Math.floor(r() * 12) * 86_400_000).toISOString().slice(0, 10));
  }
  return { timezone: pick(ZONES), hours, holidays };
}

const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Local date, weekday and minute of the day of an instant, by Intl (cached per 15 minutes: offsets are). */
function localClock(timezone: string) {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  const offsets = new Map<number, number>();
  return (ms: number) => {
    const block = Math.floor(ms / 900_000);
    let offset = offsets.get(block);
    if (offset === undefined) {
      const parts: Record<string, string> = Object.fromEntries(
        format.formatToParts(block * 900_000).map((p) => [p.type, p.value]),
      );
      const n = (k: string) => Number(parts[k]);
      const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
      offset = wall - block * 900_000;
      offsets.set(block, offset);
    }
    const wall = new Date(ms + offset);
    return {
      date: wall.toISOString().slice(0, 10),
      dow: wall.getUTCDay(),
      minute: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
      prevDate: new Date(ms + offset - 86_400_000).toISOString().slice(0, 10),
    };
  };
}

/** The reference: is the minute starting at `ms` business time? (A span of date d, d not a holiday.) */
function referenceIsOpen(s: Schedule) {
  const clock = localClock(s.timezone);
  return (ms: number) => {
    const { date, dow, minute, prevDate } = clock(ms);
    if (!s.holidays.includes(date)) {
      for (const [a, b] of s.hours[DAYS[dow] as (typeof DAYS)[number]]) {
        const [x, y] = [toMin(a), toMin(b)];
        if (y > x ? minute >= x && minute < y : minute >= x) return true;
      }
    }
    if (!s.holidays.includes(prevDate)) {
      for (const [a, b] of s.hours[DAYS[(dow + 6) % 7] as (typeof DAYS)[number]]) {
        const [x, y] = [toMin(a), toMin(b)];
        if (y <= x && minute < y) return true;
      }
    }
    return false;
  };
}

/** Walks minute by minute: the instant the `minutes`-th business minute ends (0: the first open minute). */
function referenceAdd(s: Schedule, startMs: number, minutes: number): number | null {
  const open = referenceIsOpen(s);
  let t = startMs;
  let left = minutes;
  for (let i = 0; i < 400 * 1440; i++, t += 60_000) {
    if (!open(t)) continue;
    if (left === 0) return t;
    left -= 1;
    if (left === 0) return t + 60_000;
  }
  return null;
}

function referenceSeconds(s: Schedule, fromMs: number, toMs: number): number {
  const open = referenceIsOpen(s);
  let n = 0;
  for (let t = fromMs; t < toMs; t += 60_000) if (open(t)) n += 60;
  return n;
}

interface Case {
  schedule: Schedule;
  start: string;
  minutes: number;
  until: string;
}

function cases(seed: number, count: number): Case[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => {
    const schedule = randomSchedule(r);
    const anchor = Date.parse(ANCHORS[Math.floor(r() * ANCHORS.length)] as string);
    const start = anchor + Math.floor(r() * 8 * 1440) * 60_000;
    const minutes = r() < 0.1 ? 0 : Math.floor(r() * 2400);
    const until = start + Math.floor(r() * 10 * 1440) * 60_000;
    return { schedule, start: new Date(start).toISOString(), minutes, until: new Date(until).toISOString() };
  });
}

async function sqlResults(list: Case[]) {
  const { rows } = await f.client.db.$client.query<{ due: Date | null; seconds: number }>(
    `select tikethet_business_add(c.s, c.start, c.minutes * 60) as due,
       tikethet_business_seconds(c.s, c.start, c.until) as seconds
     from unnest($1::jsonb[], $2::timestamptz[], $3::int[], $4::timestamptz[]) with ordinality
       as c(s, start, minutes, until, n) order by c.n`,
    [
      list.map((c) => JSON.stringify(c.schedule)),
      list.map((c) => c.start),
      list.map((c) => c.minutes),
      list.map((c) => c.until),
    ],
  );
  return rows;
}

test.each([1, 2, 3, 4])(
  'random schedules agree with the minute-by-minute reference (seed %i)',
  async (seed) => {
    const list = cases(seed, 40);
    const rows = await sqlResults(list);
    list.forEach((c, i) => {
      const expected = referenceAdd(c.schedule, Date.parse(c.start), c.minutes);
      const row = rows[i];
      const context = JSON.stringify(c);
      expect({ context, due: row?.due ? row.due.toISOString() : null }).toEqual({
        context,
        due: expected === null ? null : new Date(expected).toISOString(),
      });
      expect({ context, seconds: row?.seconds }).toEqual({
        context,
        seconds: referenceSeconds(c.schedule, Date.parse(c.start), Date.parse(c.until)),
      });
    });
  },
);

const weekdays9to18 = (timezone: string, extra: Partial<Schedule['hours']> = {}): Schedule => ({
  timezone,
  hours: {
    mon: [['09:00', '18:00']],
    tue: [['09:00', '18:00']],
    wed: [['09:00', '18:00']],
    thu: [['09:00', '18:00']],
    fri: [['09:00', '18:00']],
    sat: [],
    sun: [],
    ...extra,
  },
  holidays: [],
});

async function add(s: Schedule, start: string, minutes: number): Promise<string | null> {
  const { rows } = await f.client.db.$client.query<{ due: Date | null }>(
    'select tikethet_business_add($1::jsonb, $2::timestamptz, $3 * 60) as due',
    [JSON.stringify(s), start, minutes],
  );
  return rows[0]?.due ? rows[0].due.toISOString() : null;
}

describe('named cases', () => {
  test('Friday evening plus two hours is Monday 11:00 local', async () => {
    // Friday 2026-12-04 17:00 Moscow (UTC+3): one hour left that day, one on Monday.
    expect(await add(weekdays9to18('Europe/Moscow'), '2026-12-04T14:00:00Z', 120)).toBe(
      '2026-12-07T07:00:00.000Z',
    );
  });
  test('a holiday is skipped', async () => {
    const s = { ...weekdays9to18('UTC'), holidays: ['2026-12-07'] };
    expect(await add(s, '2026-12-04T17:00:00Z', 120)).toBe('2026-12-08T10:00:00.000Z');
  });
  test('a span past midnight counts on both sides of it', async () => {
    const s = weekdays9to18('UTC', { fri: [['22:00', '02:00']] });
    // Friday 23:00 + 120 min: 23:00-24:00 Friday, 00:00-01:00 Saturday.
    expect(await add(s, '2026-12-04T23:00:00Z', 120)).toBe('2026-12-05T01:00:00.000Z');
  });
  test('across the spring DST change the local opening hour holds', async () => {
    // Berlin: Friday 2026-03-27 17:00 CET (16:00Z) + 2 h: 1 h Friday, then Monday 09:00 CEST (07:00Z) + 1 h.
    expect(await add(weekdays9to18('Europe/Berlin'), '2026-03-27T16:00:00Z', 120)).toBe(
      '2026-03-30T08:00:00.000Z',
    );
  });
  test('zero minutes out of hours is the next opening', async () => {
    expect(await add(weekdays9to18('UTC'), '2026-12-05T12:00:00Z', 0)).toBe('2026-12-07T09:00:00.000Z');
  });
  test('a week with no hours at all (every day a holiday for a year) gives no due time', async () => {
    const s = weekdays9to18('UTC');
    s.holidays = Array.from({ length: 400 }, (_, i) =>
      new Date(Date.UTC(2026, 11, 1) + i * 86_400_000).toISOString().slice(0, 10),
    );
    expect(await add(s, '2026-12-01T00:00:00Z', 60)).toBeNull();
  });
});
