import { type FieldIssue, idParamSchema, ValidationError } from '@tikethet/domain';
import { z } from 'zod';

/** Zod issues as field issues; every unknown key is named on its own. */
export function issuesOf(error: z.ZodError, prefix?: string): FieldIssue[] {
  const join = (parts: PropertyKey[]) =>
    [prefix, ...parts.map(String)].filter((p) => p !== undefined && p !== '').join('.');
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'is not a known field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
}

/** Parses `input` with `schema` or throws a ValidationError (400) naming each offending field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(issuesOf(result.error, prefix));
}

/** A JSON body: absent or not an object is reported as such, before the schema names fields. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError([{ path: 'body', message: 'must be a JSON object' }]);
  }
  return parseWith(schema, body);
}

/** An optional JSON body that must be empty when present (action routes such as claim). */
export const emptyBodySchema = z.strictObject({});

/** A route with no query parameters rejects any. */
export const emptyQuerySchema = z.strictObject({});

/** The numeric `:id` of a path. */
export function idParam(params: Record<string, unknown>, name = 'id'): number {
  return parseWith(idParamSchema, params[name], name);
}
