import { idParamSchema, TAG_MAX, telegramIdParamSchema } from '@tikethet/domain';
import { type ZodType, z } from 'zod';
import { JSON_LIMIT } from '../routes/mount';
import type { Access, RouteDef } from '../routes/route';
import { devLoginRoutes, type PublicRoute, publicRoutes } from './public-routes';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
  /** Who may call it (routes/route.ts `Access`), shown on the reference page. */
  'x-access': Access | 'public';
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

export interface OpenApiOptions {
  /** Development sign-in is mounted (`devLoginEnabled`): its routes are described too. */
  devLogin: boolean;
}

/** The schema of each path parameter the routes use, as `idParam`/`parseWith` read it. */
const pathParams: Record<string, ZodType> = {
  id: idParamSchema,
  telegramId: telegramIdParamSchema,
  name: z.string().min(1).max(TAG_MAX).describe('a tag name'),
};

const ACCESS: Record<Access | 'public', string> = {
  public: 'anyone, no sign-in',
  user: 'anyone signed in',
  ticket: "the ticket's customer and staff (others: 404)",
  'ticket-owner': "the ticket's customer only (staff: 403, others: 404)",
  staff: 'agents and admins',
  admin: 'admins',
};

const ERRORS: Record<string, string> = {
  '400': 'validation_failed (details names each field), invalid_json, or another malformed request',
  '401':
    'auth_<reason> (auth_missing, auth_bad_hash, auth_expired, …): no or a bad `Authorization: tma <initData>`',
  '403': 'forbidden: the role or the ticket does not allow it',
  '404': 'not_found: no such thing, or not one the caller may see',
  '409': 'version_conflict, invalid_transition, already_claimed or conflict: the state does not allow it',
  '413': `payload_too_large: the JSON body is over ${JSON_LIMIT}`,
  '429': 'rate_limited: Retry-After says when to come back',
  '502': 'upstream_unavailable: Telegram did not give the file',
  '503': 'timeout: the database took too long (Retry-After: 1)',
};

/**
 * A zod schema as JSON Schema: `input` for what a client sends (the input side of transforms and pipes),
 * `output` for what the API answers.
 */
export function jsonSchemaOf(schema: ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

/** `/tickets/:id` -> `/tickets/{id}` and the names of its parameters. */
export function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: converted, params };
}

function operationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return [method, ...words.map((w) => w[0]?.toUpperCase() + w.slice(1))].join('');
}

function parametersOf(route: { path: string; query?: ZodType }): Operation['parameters'] {
  const { params } = openApiPath(route.path);
  const out: NonNullable<Operation['parameters']> = params.map((name) => {
    const schema = pathParams[name];
    if (!schema) throw new Error(`openapi: no schema for the path parameter :${name} of ${route.path}`);
    return { name, in: 'path', required: true, schema: jsonSchemaOf(schema) };
  });
  if (route.query) {
    const query = jsonSchemaOf(route.query);
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query.properties ?? {}) as Record<string, JsonSchema>)) {
      out.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  return out.length > 0 ? out : undefined;
}

/** A multipart form: its text parts as the schema says, its file parts as binary strings. */
function formOf(multipart: NonNullable<RouteDef['multipart']>): JsonSchema {
  const fields = jsonSchemaOf(multipart.fields);
  const properties = (fields.properties ?? {}) as Record<string, JsonSchema>;
  return {
    ...fields,
    properties: {
      ...properties,
      [multipart.files.name]: {
        type: 'array',
        items: { type: 'string', contentMediaType: 'application/octet-stream' },
        maxItems: multipart.files.maxItems,
      },
    },
  };
}

function bodyOf(
  route: Pick<RouteDef, 'body' | 'customerBody' | 'bodyOptional' | 'multipart'>,
): Operation['requestBody'] {
  if (!route.body) return undefined;
  const schema = route.customerBody
    ? {
        anyOf: [
          { title: 'staff', ...jsonSchemaOf(route.body) },
          { title: 'customer', ...jsonSchemaOf(route.customerBody) },
        ],
      }
    : jsonSchemaOf(route.body);
  const content: Record<string, { schema: JsonSchema }> = { 'application/json': { schema } };
  if (route.multipart) content['multipart/form-data'] = { schema: formOf(route.multipart) };
  return { required: route.bodyOptional !== true, content };
}

function success(status: number, file: boolean, response?: ZodType, csv = false): Record<string, unknown> {
  if (status === 204) return { '204': { description: 'Done; no body' } };
  if (csv)
    return {
      [String(status)]: {
        description: 'CSV (RFC 4180, UTF-8 with a byte order mark), a header row first',
        content: { 'text/csv': { schema: { type: 'string' } } },
      },
    };
  if (file)
    return {
      [String(status)]: { description: 'The file, with its own Content-Type', content: { '*/*': {} } },
    };
  const schema = response ? jsonSchemaOf(response, 'output') : {};
  return { [String(status)]: { description: 'OK', content: { 'application/json': { schema } } } };
}

function errorRefs(codes: string[]): Record<string, unknown> {
  return Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/responses/E${code}` }]));
}

/** The refusals a table route can answer, from what it declares. */
function errorsOf(route: RouteDef): string[] {
  const write = route.method !== 'get';
  const { params } = openApiPath(route.path);
  const codes = ['400', '401'];
  // A write may meet a domain rule on the role (a customer setting a priority, an agent's shared reply).
  if (route.guard || route.access === 'ticket-owner' || write) codes.push('403');
  if (params.length > 0) codes.push('404');
  if (write) codes.push('409', '413');
  if (route.file) codes.push('502');
  codes.push('429', '503');
  return codes;
}

function tagOf(path: string): string {
  return path.split('/')[1] ?? 'api';
}

function tableOperation(route: RouteDef): Operation {
  return {
    operationId: operationId(route.method, route.path),
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [tagOf(route.path)],
    security: [{ tma: [] }],
    parameters: parametersOf(route),
    requestBody: bodyOf(route),
    responses: {
      ...success(route.status ?? 200, route.file === true, route.response, route.csv === true),
      ...errorRefs(errorsOf(route)),
    },
    'x-access': route.access,
  };
}

function publicOperation(route: PublicRoute): Operation {
  return {
    operationId: operationId(route.method, route.path),
    summary: route.summary,
    tags: [route.path.startsWith('/dev/') ? 'development' : 'service'],
    security: [],
    requestBody: bodyOf(route),
    responses: {
      ...success(200, false, route.response),
      ...Object.fromEntries(
        Object.entries(route.refusals ?? {}).map(([status, { description, schema }]) => [
          status,
          { description, content: { 'application/json': { schema: jsonSchemaOf(schema, 'output') } } },
        ]),
      ),
      ...errorRefs(route.errors),
    },
    'x-access': 'public',
  };
}

/** The OpenAPI 3.1 document of /api/v1, built from the route table and the same zod schemas it validates with. */
export function buildOpenApi(table: readonly RouteDef[], options: OpenApiOptions): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const add = (path: string, method: string, operation: Operation) => {
    const key = openApiPath(path).path;
    const item = paths[key] ?? {};
    paths[key] = item;
    if (item[method]) throw new Error(`openapi: ${method.toUpperCase()} ${key} is described twice`);
    // Absent optional fields are left out rather than written as undefined.
    item[method] = JSON.parse(JSON.stringify(operation)) as Operation;
  };
  for (const route of table) add(route.path, route.method, tableOperation(route));
  for (const route of [...publicRoutes, ...(options.devLogin ? devLoginRoutes : [])]) {
    add(route.path, route.method, publicOperation(route));
  }
  const errorBody = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          details: {
            description: 'validation_failed: [{path, message}] naming each field; else code-specific',
          },
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'TiketHet API',
      version: '1',
      description:
        'The REST API of the TiketHet helpdesk. Every request but the public ones carries `Authorization: tma <initData>`: the Mini App initData Telegram signed for the bot. Refusals share one body: `{"error":{"code","message","details"}}`.',
    },
    servers: [{ url: '/api/v1' }],
    paths,
    components: {
      securitySchemes: {
        tma: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            '`tma <initData>`: the raw initData string of the Telegram Mini App, as Telegram signed it',
        },
      },
      schemas: { Error: errorBody },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([code, description]) => [
          `E${code}`,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}

/** Who may call an operation, in words (the reference page). */
export function accessText(access: Access | 'public'): string {
  return ACCESS[access];
}
