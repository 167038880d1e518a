import {
  languageFrom,
  parseInitData,
  parseLaunchHash,
  startParamFromSearch,
  ticketIdFromStartParam,
} from './launch';

const user = { id: 42, first_name: 'Анна', username: 'anna', language_code: 'en' };
const initData = new URLSearchParams({
  query_id: 'AAE',
  user: JSON.stringify(user),
  auth_date: '1700000000',
  start_param: 'ticket_9',
  hash: 'abc',
}).toString();

describe('launch params', () => {
  it('parses the Telegram hash', () => {
    const hash = `#${new URLSearchParams({
      tgWebAppData: initData,
      tgWebAppThemeParams: JSON.stringify({ bg_color: '#17212b', text_color: '#f5f5f5', bad: 3 }),
      tgWebAppStartParam: 'ticket_12',
      tgWebAppVersion: '8.0',
      tgWebAppPlatform: 'ios',
    }).toString()}`;
    const launch = parseLaunchHash(hash);
    expect(launch.initData).toBe(initData);
    expect(launch.themeParams).toEqual({ bg_color: '#17212b', text_color: '#f5f5f5' });
    expect(launch.startParam).toBe('ticket_12');
    expect(launch.platform).toBe('ios');
    expect(launch.version).toBe('8.0');
    expect(launch.user).toEqual({ id: 42, firstName: 'Анна', username: 'anna', languageCode: 'en' });
  });

  it('falls back to start_param inside initData and tolerates junk', () => {
    expect(parseLaunchHash(`#tgWebAppData=${encodeURIComponent(initData)}`).startParam).toBe('ticket_9');
    expect(parseLaunchHash('').initData).toBe('');
    expect(parseLaunchHash('#/some/route').initData).toBe('');
    expect(parseLaunchHash('#tgWebAppThemeParams=%7Bnot-json').themeParams).toEqual({});
    expect(parseInitData('user=%7Bbroken').user).toBeNull();
  });

  it('reads params after a route in the hash', () => {
    expect(parseLaunchHash(`#/tickets?tgWebAppData=${encodeURIComponent(initData)}`).initData).toBe(initData);
  });

  it('maps ticket_<id> deep links', () => {
    expect(ticketIdFromStartParam('ticket_12')).toBe(12);
    expect(ticketIdFromStartParam('ticket_0')).toBeNull();
    expect(ticketIdFromStartParam('ticket_12x')).toBeNull();
    expect(ticketIdFromStartParam(null)).toBeNull();
    expect(startParamFromSearch('?startapp=ticket_5')).toBe('ticket_5');
  });

  it('chooses Russian first', () => {
    expect(languageFrom(undefined)).toBe('ru');
    expect(languageFrom('uk')).toBe('ru');
    expect(languageFrom('ru-RU')).toBe('ru');
    expect(languageFrom('en')).toBe('en');
    expect(languageFrom('de')).toBe('en');
  });
});
