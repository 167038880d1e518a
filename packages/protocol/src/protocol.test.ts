import { CloseCode, isStaffRole, languageFrom, ticketIdOfTopic, ticketTopic } from './index';

describe('topics', () => {
  it('names a ticket and reads the name back; anything else is no ticket', () => {
    expect(ticketTopic(42)).toBe('ticket:42');
    expect(ticketIdOfTopic(ticketTopic(42))).toBe(42);
    for (const bad of [
      'queue',
      'ticket:0',
      'ticket:-1',
      'ticket:01',
      'ticket:1.5',
      'ticket:99999999999999999',
      'tickets:1',
      'ticket:1 ',
    ]) {
      expect(ticketIdOfTopic(bad)).toBeNull();
    }
  });
});

describe('close codes', () => {
  it('are distinct, and application codes are in 4000–4999', () => {
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code < 1000 || (code > 1015 && code < 4000) || code > 4999).toBe(false);
  });
});

describe('people', () => {
  it('staff are agents and admins', () => {
    expect(['customer', 'agent', 'admin', undefined, null].map(isStaffRole)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });
  it('reads Russian first', () => {
    expect([undefined, 'ru', 'uk-UA', 'kk', 'en', 'de_DE', 'EN-us'].map(languageFrom)).toEqual([
      'ru',
      'ru',
      'ru',
      'ru',
      'en',
      'en',
      'en',
    ]);
  });
});
