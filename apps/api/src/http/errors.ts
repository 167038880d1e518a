import { isStatementTimeout } from '@tikethet/db';
import { DomainError, type DomainErrorCode, ValidationError } from '@tikethet/domain';

/** An HTTP-level refusal that is not a domain rule (auth, rate limit, routing, transport). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Response headers that belong to the refusal (Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 429 with Retry-After. */
export function rateLimited(retryAfterS: number): HttpError {
  return new HttpError(
    429,
    'rate_limited',
    'too many requests; slow down',
    { retryAfterS },
    {
      'Retry-After': String(retryAfterS),
    },
  );
}

const statusOfCode: Record<DomainErrorCode, number> = {
  validation_failed: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  version_conflict: 409,
  already_claimed: 409,
  already_merged: 409,
  invalid_transition: 409,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** true: not a refusal of bad input but a fault of ours, to be logged as an error. */
  unexpected: boolean;
}

/** What body-parser and the router attach to the errors they raise. */
interface TransportError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
}

const transportCodes: Record<string, string> = {
  'entity.parse.failed': 'invalid_json',
  'entity.too.large': 'payload_too_large',
  'encoding.unsupported': 'unsupported_encoding',
  'charset.unsupported': 'unsupported_charset',
  'request.aborted': 'request_aborted',
  'request.size.invalid': 'bad_request',
  'stream.encoding.set': 'bad_request',
};

function body(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Maps anything thrown by a route to a status and the ARCHITECTURE §11 error body. */
export function mapError(error: unknown): MappedError {
  if (error instanceof ValidationError) {
    return {
      status: 400,
      body: body('validation_failed', error.message, error.issues),
      unexpected: false,
      headers: {},
    };
  }
  if (error instanceof DomainError) {
    return {
      status: statusOfCode[error.code],
      body: body(error.code, error.message, error.details),
      unexpected: false,
      headers: {},
    };
  }
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: body(error.code, error.message, error.details),
      unexpected: false,
      headers: error.headers,
    };
  }
  if (isStatementTimeout(error)) {
    // DATABASE_STATEMENT_TIMEOUT_MS: Postgres cancelled the statement; the connection is fine, the request is not.
    return {
      status: 503,
      body: body('timeout', 'the database took too long to answer; try again'),
      unexpected: false,
      headers: { 'Retry-After': '1' },
    };
  }
  if (error && typeof error === 'object') {
    const t = error as TransportError;
    const status = typeof t.status === 'number' ? t.status : t.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = (typeof t.type === 'string' && transportCodes[t.type]) || 'bad_request';
      const message =
        code === 'invalid_json'
          ? 'the body is not valid JSON'
          : code === 'payload_too_large'
            ? 'the body is too large'
            : error instanceof Error && t.expose === true
              ? error.message
              : 'bad request';
      return { status, body: body(code, message), unexpected: false, headers: {} };
    }
  }
  return {
    status: 500,
    body: body('internal', 'something went wrong on our side'),
    unexpected: true,
    headers: {},
  };
}
