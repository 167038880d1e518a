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

/** telegraf and node-fetch put the request URL, bot token included, into some errors' message and stack. */
describe('the bot token never reaches a log line', () => {
  const token = '7012345678:AAHk3-9xZq_ExampleTokenValue0123456789';

  function captured(): { lines: () => string; logger: pino.Logger } {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += String(chunk);
        done();
      },
    });
    return { lines: () => out, logger: pino(loggerOptions('info'), sink) };
  }

  it('is redacted from an error’s message, stack and cause, from messages and from nested fields', () => {
    const url = `https://api.telegram.org/bot${token}/sendMessage`;
    const cause = new Error(`connect ETIMEDOUT for ${url}`);
    const error = Object.assign(new Error(`request to ${url} failed, reason: socket hang up`), {
      cause,
      on: { method: 'sendMessage', url },
    });
    const { lines, logger } = captured();
    logger.error({ err: error }, 'send failed');
    logger.warn({ request: { headers: { referer: url }, list: [url] } }, `retrying ${url}`);
    logger.info(`token ${token} in a plain message`);
    const out = lines();
    expect(out.split('\n').filter(Boolean)).toHaveLength(3);
    expect(out).not.toContain(token);
    expect(out).not.toContain('AAHk3');
    expect(out).toContain('api.telegram.org/bot[redacted]/sendMessage');
    expect(out).toContain('socket hang up');
  });

  it('is redacted by serializeError itself, so an error stored or shown elsewhere has no token either', () => {
    const error = new Error(`404: Not Found at /bot${token}/getMe`);
    const serialized = JSON.stringify(serializeError(error));
    expect(serialized).not.toContain(token);
    expect(serialized).toContain('/bot[redacted]/getMe');
  });
});
