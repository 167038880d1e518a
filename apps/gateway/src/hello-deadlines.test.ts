import { createHelloDeadlines } from './hello-deadlines';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** Deadlines of `timeoutMs` that record what expired, in order. */
function recording(timeoutMs: number) {
  const expired: string[] = [];
  const deadlines = createHelloDeadlines<string>(timeoutMs, (item) => expired.push(item));
  return { expired, deadlines };
}

it('expires each item once its timeout has passed, oldest first, on one timer', () => {
  const { expired, deadlines } = recording(5000);
  deadlines.add('a');
  jest.advanceTimersByTime(2000);
  deadlines.add('b');
  expect(jest.getTimerCount()).toBe(1);
  jest.advanceTimersByTime(2999);
  expect(expired).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(expired).toEqual(['a']);
  jest.advanceTimersByTime(1999);
  expect(expired).toEqual(['a']);
  jest.advanceTimersByTime(1);
  expect(expired).toEqual(['a', 'b']);
  expect(deadlines.size).toBe(0);
  expect(jest.getTimerCount()).toBe(0);
});

it('never expires an item deleted before its deadline, and re-arms for the next one', () => {
  const { expired, deadlines } = recording(1000);
  deadlines.add('gone');
  jest.advanceTimersByTime(500);
  deadlines.add('stays');
  deadlines.delete('gone');
  jest.advanceTimersByTime(600);
  expect(expired).toEqual([]);
  jest.advanceTimersByTime(400);
  expect(expired).toEqual(['stays']);
});

it('stops: nothing expires afterwards and no timer is left', () => {
  const { expired, deadlines } = recording(1000);
  deadlines.add('a');
  deadlines.stop();
  deadlines.add('b');
  jest.advanceTimersByTime(5000);
  expect(expired).toEqual([]);
  expect(jest.getTimerCount()).toBe(0);
});
