import { type Pingable, startPinger } from './ping';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function fake(pingSlot: number, answers = true) {
  const conn = {
    pingSlot,
    alive: true,
    pings: 0,
    terminated: '',
    ping() {
      conn.pings += 1;
      if (answers) conn.alive = true;
    },
    terminate(reason: string) {
      conn.terminated = reason;
    },
  };
  return conn satisfies Pingable;
}

it('pings every connection once per interval, its group on its own tick', () => {
  const conns = [fake(0), fake(1), fake(4)];
  const stop = startPinger(conns, 1000, 5);
  jest.advanceTimersByTime(200);
  expect(conns.map((c) => c.pings)).toEqual([1, 0, 0]);
  jest.advanceTimersByTime(200);
  expect(conns.map((c) => c.pings)).toEqual([1, 1, 0]);
  jest.advanceTimersByTime(600);
  expect(conns.map((c) => c.pings)).toEqual([1, 1, 1]);
  jest.advanceTimersByTime(1000);
  expect(conns.map((c) => c.pings)).toEqual([2, 2, 2]);
  stop();
  jest.advanceTimersByTime(5000);
  expect(conns.map((c) => c.pings)).toEqual([2, 2, 2]);
});

it('terminates a connection that did not answer by its next turn, and only that one', () => {
  const silent = fake(2, false);
  const talking = fake(2);
  startPinger([silent, talking], 1000, 5);
  jest.advanceTimersByTime(600);
  expect(silent.pings).toBe(1);
  expect(silent.terminated).toBe('');
  jest.advanceTimersByTime(1000);
  expect(silent.terminated).toBe('ping_timeout');
  expect(silent.pings).toBe(1);
  expect(talking.terminated).toBe('');
  expect(talking.pings).toBe(2);
});

it('terminates a connection whose ping throws', () => {
  const broken = fake(0);
  broken.ping = () => {
    throw new Error('socket gone');
  };
  startPinger([broken], 100, 1);
  jest.advanceTimersByTime(100);
  expect(broken.terminated).toBe('ping_failed');
});
