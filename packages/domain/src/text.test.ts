import { parseInput, ValidationError } from './errors';
import { cleanJson, cleanText, TOO_DEEP, textProblem } from './text';
import { createTicketInputSchema } from './ticket';
import { telegramProfileSchema } from './user';

/** Strings of random UTF-16 code units, NUL and surrogates (paired or not) well represented; seeded. */
function randomStrings(count: number, seed = 13): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const units = [0, 0x41, 0x20, 0x44f, 0xd83d, 0xde00, 0xdbff, 0xdc00, 0xfffd, 0x1f];
  return Array.from({ length: count }, () =>
    String.fromCharCode(
      ...Array.from({ length: Math.floor(next() * 12) }, () =>
        next() < 0.8 ? (units[Math.floor(next() * units.length)] ?? 0) : Math.floor(next() * 0x10000),
      ),
    ),
  );
}

/** Whether UTF-8 (what Postgres stores) round-trips the string unchanged: no NUL, no lone surrogate. */
const storable = (s: string) => !s.includes('\u0000') && Buffer.from(s, 'utf8').toString('utf8') === s;

describe('cleanText', () => {
  it('drops NUL, replaces lone surrogates and keeps pairs', () => {
    expect(cleanText('a\u0000b')).toBe('ab');
    expect(cleanText('x\ud800y\udc00')).toBe('x\ufffdy\ufffd');
    expect(cleanText('😀\ud83d')).toBe('😀\ufffd');
  });

  it('cuts to max UTF-16 units with a mark, never inside a pair', () => {
    expect(cleanText('abcdef', 4)).toBe('abc…');
    expect(cleanText('ab😀', 3)).toBe('ab…');
    expect(cleanText('a😀b', 3)).toBe('a…');
    expect(cleanText('abc', 3)).toBe('abc');
  });

  it('always gives what UTF-8 stores unchanged, within the limit', () => {
    for (const s of randomStrings(2000)) {
      const clean = cleanText(s, 8);
      expect({ s, ok: storable(clean) && clean.length <= 8 }).toEqual({ s, ok: true });
      expect(textProblem(clean)).toBeNull();
      // Already clean text is left alone.
      if (storable(s)) expect(cleanText(s)).toBe(s);
    }
  });
});

describe('textProblem', () => {
  it('names NUL and lone surrogates, accepts the rest', () => {
    expect(textProblem('a\u0000')).toMatch(/NUL/);
    expect(textProblem('a\udc00')).toMatch(/surrogate/);
    expect(textProblem('привет 😀')).toBeNull();
  });

  it('makes the request schemas refuse such text, naming the field', () => {
    for (const [subject, body] of [
      ['ok', 'a\u0000b'],
      ['ok', 'a\ud800b'],
    ]) {
      try {
        parseInput(createTicketInputSchema, { subject, body });
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).issues.map((i) => i.path)).toEqual(['body']);
      }
    }
  });
});

describe('cleanJson', () => {
  it('cleans every string and key, keeps numbers, and stops at a depth', () => {
    expect(cleanJson({ 'k\u0000': ['a\u0000', 1, null, { n: 'x\udfff' }], id: 2 ** 70 })).toEqual({
      k: ['a', 1, null, { n: 'x\ufffd' }],
      id: 2 ** 70,
    });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i += 1) deep = [deep];
    expect(JSON.stringify(cleanJson(deep))).toContain(TOO_DEEP);
  });
});

describe('telegramProfileSchema', () => {
  it('cleans and cuts what Telegram sends instead of refusing it', () => {
    expect(
      telegramProfileSchema.parse({
        id: 5,
        first_name: 'a\u0000b',
        last_name: 'x'.repeat(300),
        username: 'u\ud800',
      }),
    ).toEqual({ id: 5, first_name: 'ab', last_name: `${'x'.repeat(255)}…`, username: 'u\ufffd' });
  });
});
