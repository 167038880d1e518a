import { mapError } from './errors';

/** Shaped as drizzle-orm's DrizzleQueryError: its message quotes the statement, the pg error is the cause. */
class DrizzleQueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    override readonly cause: Error,
  ) {
    super(`Failed query: ${query}\nparams: ${params.join(',')}`);
  }
}

/** A pg DatabaseError as the driver throws it: an Error with the SQLSTATE in `code`. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

describe('mapError for database faults', () => {
  it('a statement cancelled by statement_timeout (57014) is 503 timeout, not a fault of ours', () => {
    const mapped = mapError(pgError('57014', 'canceling statement due to statement timeout'));
    expect(mapped).toEqual({
      status: 503,
      body: { error: { code: 'timeout', message: expect.any(String) } },
      headers: { 'Retry-After': '1' },
      unexpected: false,
    });
  });

  it('also when drizzle wraps it (the pg error is the cause), without quoting the statement', () => {
    const wrapped = new DrizzleQueryError(
      'select * from tickets where subject = $1',
      ['secret words'],
      pgError('57014', 'canceling statement due to statement timeout'),
    );
    const mapped = mapError(wrapped);
    expect(mapped.status).toBe(503);
    expect(mapped.body.error.code).toBe('timeout');
    expect(JSON.stringify(mapped.body)).not.toContain('secret');
  });

  it('other database errors stay 500 internal (logged as ours)', () => {
    for (const code of ['23505', '40P01', '57P01', '42P01']) {
      const mapped = mapError(new DrizzleQueryError('select 1', [], pgError(code, 'boom')));
      expect(mapped.status).toBe(500);
      expect(mapped.body.error.code).toBe('internal');
      expect(mapped.unexpected).toBe(true);
    }
  });
});
