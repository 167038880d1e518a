import { readinessOf, readinessSchema } from './health';

describe('readiness', () => {
  it('is ready only when not draining and every check passed', () => {
    expect(readinessOf(false, { db: true, bus: true })).toEqual({
      httpStatus: 200,
      body: { status: 'ready', checks: { db: true, bus: true } },
    });
    expect(readinessOf(false, { db: true, bus: false })).toEqual({
      httpStatus: 503,
      body: { status: 'unavailable', checks: { db: true, bus: false } },
    });
    expect(readinessOf(true, { db: true })).toEqual({
      httpStatus: 503,
      body: { status: 'draining', checks: { db: true } },
    });
    for (const answer of [readinessOf(false), readinessOf(true, { db: false })]) {
      expect(readinessSchema.parse(answer.body)).toEqual(answer.body);
    }
  });
});
