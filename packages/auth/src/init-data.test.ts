import { signInitData, TEST_BOT_TOKEN } from '@tikethet/testkit';
import { signInitDataFields, validateInitData } from './init-data';

const now = 1_800_000_000;
const user = { id: 42, first_name: 'Анна', language_code: 'ru' };
const opts = { botToken: TEST_BOT_TOKEN, maxAgeS: 3600, nowS: now };

describe('validateInitData', () => {
  it('accepts initData signed as Telegram signs it (by the independent test signer)', () => {
    const raw = signInitData({ botToken: TEST_BOT_TOKEN, user, authDate: now - 10, startParam: 'ticket_7' });
    const result = validateInitData(raw, opts);
    expect(result).toEqual({
      ok: true,
      user: expect.objectContaining({ id: 42, first_name: 'Анна' }),
      authDate: now - 10,
      startParam: 'ticket_7',
    });
  });

  it('agrees with its own signer', () => {
    const raw = signInitDataFields(
      { auth_date: String(now), user: JSON.stringify(user), query_id: 'q' },
      TEST_BOT_TOKEN,
    );
    expect(validateInitData(raw, opts).ok).toBe(true);
  });

  it.each([
    ['missing', ''],
    ['malformed', 'hash=zz&auth_date=1'],
  ])('rejects %s input', (reason, raw) => {
    expect(validateInitData(raw, opts)).toEqual({ ok: false, reason });
  });

  it('rejects a tampered payload, another bot’s signature, an expired and a future auth_date', () => {
    const good = signInitData({ botToken: TEST_BOT_TOKEN, user, authDate: now - 10 });
    const tampered = good.replace(encodeURIComponent('"id":42'), encodeURIComponent('"id":43'));
    expect(tampered).not.toBe(good);
    expect(validateInitData(tampered, opts)).toEqual({ ok: false, reason: 'bad_hash' });
    const otherBot = signInitData({
      botToken: '987654321:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ',
      user,
      authDate: now,
    });
    expect(validateInitData(otherBot, opts)).toEqual({ ok: false, reason: 'bad_hash' });
    const old = signInitData({ botToken: TEST_BOT_TOKEN, user, authDate: now - 3601 });
    expect(validateInitData(old, opts)).toEqual({ ok: false, reason: 'expired' });
    const future = signInitData({ botToken: TEST_BOT_TOKEN, user, authDate: now + 3600 });
    expect(validateInitData(future, opts)).toEqual({ ok: false, reason: 'future' });
  });

  it('rejects a signed payload without a valid user', () => {
    const raw = signInitDataFields({ auth_date: String(now), user: '{"id":"x"}' }, TEST_BOT_TOKEN);
    expect(validateInitData(raw, opts)).toEqual({ ok: false, reason: 'bad_user' });
  });
});
