import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions, serializeError } from './logger';

/** Shaped as drizzle-orm's DrizzleQueryError (its message, `query`, `params` and `cause`). */
class DrizzleQueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    override readonly cause: Error,
  ) {
    super(`Failed query: ${query}\nparams: ${params}`);
    this.name = 'DrizzleQueryError';
  }
}

/** Logs keep a failed query's statement and driver error, never its values (customers' texts and names). */
describe('serializeError', () => {
  const secret = 'my card is 4111 1111\nand my name is Ann';

  function failedQuery(): Error {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "x_uq"'), {
      code: '23505',
    });
    return new DrizzleQueryError('insert into messages (body) values ($1)', [secret, 42], cause);
  }

  it('drops the parameters from a failed query’s fields, message and stack, keeping statement and cause', () => {
    const logged = JSON.stringify(serializeError(failedQuery()));
    expect(logged).not.toContain('4111');
    expect(logged).not.toContain('Ann');
    expect(logged).toContain('insert into messages (body) values ($1)');
    expect(logged).toContain('23505');
    expect(logged).toContain('x_uq');
    const parsed = JSON.parse(logged) as { message: string; stack: string };
    expect(parsed.message).toMatch(/params: \[redacted\]$/);
    expect(parsed.stack).toMatch(/params: \[redacted\]\n {4}at /);
  });

  it('leaves other errors as pino writes them', () => {
    const plain = Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' });
    expect(serializeError(plain)).toEqual(pino.stdSerializers.err(plain));
  });

  it('is how the root logger writes errors', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += String(chunk);
        done();
      },
    });
    pino(loggerOptions('info'), sink).warn({ err: failedQuery() }, 'batch failed');
    expect(out).toContain('batch failed');
    expect(out).not.toContain('4111');
  });
});
