import { iso } from './mappers';

/** Postgres's text for a timestamptz in a UTC session, with `digits` fractional digits (0–6). */
function pgText(ms: number, micros: number, digits: number): string {
  const d = new Date(ms);
  const base = d.toISOString().slice(0, 19).replace('T', ' ');
  const fraction =
    `${String(d.getUTCMilliseconds()).padStart(3, '0')}${String(micros).padStart(3, '0')}`.slice(0, digits);
  return `${base}${digits > 0 ? `.${fraction}` : ''}+00`;
}

describe('iso', () => {
  it("writes Postgres's UTC text exactly as Date#toISOString does, for any time and precision", () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 5000; i += 1) {
      const ms = Date.UTC(1970, 0, 1) + (next() % 2 ** 31) * 1000 + (next() % 1000);
      const text = pgText(ms, next() % 1000, i % 7);
      expect(iso(text)).toBe(new Date(text).toISOString());
    }
  });

  it('falls back to Date for other offsets, ISO strings and Dates', () => {
    expect(iso('2026-11-24 08:15:16.12+03')).toBe('2026-11-24T05:15:16.120Z');
    expect(iso('2026-11-24 08:15:16.5+05:30')).toBe('2026-11-24T02:45:16.500Z');
    expect(iso('2026-11-24T08:15:16.008Z')).toBe('2026-11-24T08:15:16.008Z');
    expect(iso(new Date(Date.UTC(2026, 10, 24, 8, 15, 16, 8)))).toBe('2026-11-24T08:15:16.008Z');
    expect(iso('2026-11-24 08:15:16+00')).toBe('2026-11-24T08:15:16.000Z');
    expect(iso('2026-11-24 08:15:16.9999995+00')).toBe(
      new Date('2026-11-24 08:15:16.9999995+00').toISOString(),
    );
  });
});
