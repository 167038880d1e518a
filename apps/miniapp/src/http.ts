import { takeBootRead } from './boot-reads';
import { t } from './i18n';

/**
 * The Mini App's HTTP client for the API: the origin, the signed-in initData, `request` for JSON calls,
 * `fetchAuthed` for bytes, and ApiError with the words to show for it (`errorText`).
 */

/** API origin (when it lives elsewhere) + the versioned prefix. */
export const API_BASE = `${(import.meta.env?.VITE_API_URL as string | undefined)?.replace(/\/$/, '') ?? ''}/api/v1`;

let initData = '';

export function setInitData(value: string): void {
  initData = value;
}

export function getInitData(): string {
  return initData;
}

/** An error from the API (`{error:{code,message,details}}`) or the network, with words to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isConflict(): boolean {
    return this.status === 409;
  }
}

/** The fields a validation error names, each by its caption on the form (`labels`) where it has one. */
function fieldsOf(details: unknown, labels: Record<string, string>): string {
  if (!Array.isArray(details)) return '';
  const names = details
    .map((d) => (d && typeof d === 'object' ? String((d as { path?: unknown }).path ?? '') : ''))
    .filter(Boolean)
    .map((path) => labels[path] ?? path);
  return [...new Set(names)].join(', ');
}

/**
 * What to tell the person about an error, in their language. `labels`: the form's captions by API field
 * name, so a validation error says «Тема», not `subject`.
 */
export function errorText(error: unknown, labels: Record<string, string> = {}): string {
  if (!(error instanceof ApiError)) return t('error.generic');
  switch (error.status) {
    case 0:
      return t('error.network');
    case 400: {
      const fields = fieldsOf(error.details, labels);
      return fields ? t('error.validation', { fields }) : error.message || t('error.generic');
    }
    case 401:
      return t('error.unauthorized');
    case 403:
      return t('error.forbidden');
    case 404:
      return t('error.not_found');
    case 409: {
      if (error.code === 'already_claimed') return t('ticket.alreadyClaimed');
      // A value another row already has (a category's name, a template's shortcut): say which field.
      const field = (error.details as { field?: unknown } | undefined)?.field;
      return typeof field === 'string'
        ? t('error.taken', { field: labels[field] ?? field })
        : t('error.conflict');
    }
    case 413:
      return t('error.too_large');
    case 429:
      return t('error.rate_limited');
    default:
      return error.status >= 500 ? t('error.server') : error.message || t('error.generic');
  }
}

type Query = Record<string, string | number | undefined | null>;

async function send(method: string, url: string, headers: Record<string, string>, body?: unknown) {
  try {
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, statusText: response.statusText, text: await response.text() };
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
}

export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') qs.set(key, String(value));
  }
  const search = qs.toString();
  const pathAndQuery = `${path}${search ? `?${search}` : ''}`;
  const url = `${API_BASE}${pathAndQuery}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (initData) headers.authorization = `tma ${initData}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const early = takeBootRead(method, pathAndQuery, initData);
  const response = early
    ? await early.catch(() => send(method, url, headers, body))
    : await send(method, url, headers, body);
  const text = response.text;
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (response.status < 200 || response.status > 299)
    throw apiErrorOf(response.status, response.statusText, json);
  return json as T;
}

/** The ApiError for a failed answer: the API's `{error:{code,message,details}}` when the body is one. */
export function apiErrorOf(status: number, statusText: string, json: unknown): ApiError {
  const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  return new ApiError(status, err?.code ?? `http_${status}`, err?.message ?? statusText, err?.details);
}

/** The Authorization header for the API (empty before sign-in). */
export function authHeaders(): Record<string, string> {
  return initData ? { authorization: `tma ${initData}` } : {};
}

/** A GET of `path` behind auth for its bytes (a file, a CSV): the Response, or an ApiError when it failed. */
export async function fetchAuthed(path: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, { headers: authHeaders() });
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (!response.ok)
    throw apiErrorOf(response.status, response.statusText, await response.json().catch(() => null));
  return response;
}
