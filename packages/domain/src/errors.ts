import type { z } from 'zod';

/** One problem with one input field; `path` is the dotted field name the client sent. */
export interface FieldIssue {
  path: string;
  message: string;
}

export type DomainErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'version_conflict'
  | 'already_claimed'
  | 'already_merged'
  | 'invalid_transition';

/** Base of every error a use-case raises on purpose; transports map `code` to a status. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super('validation_failed', issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), issues);
    this.name = 'ValidationError';
  }

  static fromZod(error: z.ZodError, prefix?: string): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const path = [prefix, ...issue.path.map(String), ...(keys.length === 1 ? keys : [])]
          .filter((p) => p !== undefined && p !== '')
          .join('.');
        return { path, message: issue.message };
      }),
    );
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
    this.name = 'NotFoundError';
  }
}

export class ForbiddenError extends DomainError {
  /** `issues` names the fields the actor may not set (same shape as a validation error's). */
  constructor(message = 'not allowed', issues?: FieldIssue[]) {
    super('forbidden', message, issues);
    this.name = 'ForbiddenError';
  }
}

export class ConflictError extends DomainError {
  constructor(
    code: 'conflict' | 'version_conflict' | 'already_claimed' | 'already_merged' | 'invalid_transition',
    message: string,
    details?: unknown,
  ) {
    super(code, message, details);
    this.name = 'ConflictError';
  }
}

/** Parses `input` with `schema` or throws a ValidationError naming each offending field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, prefix);
  return result.data;
}
