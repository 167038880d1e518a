import { takeBootRead } from './boot-reads';
import { t } from './i18n';
import { safeBlob } from './safe-blob';
import type {
  AgentReport,
  CannedReply,
  Category,
  CustomerCard,
  Message,
  Page,
  Role,
  ServiceLevels,
  StaffUser,
  Stats,
  TagCount,
  Ticket,
  TicketDetail,
  TicketPriority,
  TicketRow,
  TicketStatus,
  User,
} from './types';

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
  if (response.status < 200 || response.status > 299) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(
      response.status,
      err?.code ?? `http_${response.status}`,
      err?.message ?? response.statusText,
      err?.details,
    );
  }
  return json as T;
}

function items<T>(value: T[] | { items: T[] } | null): T[] {
  if (Array.isArray(value)) return value;
  return value?.items ?? [];
}

export interface TicketFilters {
  status?: TicketStatus | string;
  priority?: TicketPriority;
  category?: number | 'none';
  assignee?: 'me' | 'none' | number;
  sla?: 'breached' | 'due_soon';
  sort?: 'recent' | 'due';
  tag?: string;
  q?: string;
  limit?: number;
  cursor?: string | null;
}

export interface TicketPatch {
  status?: TicketStatus;
  priority?: TicketPriority;
  categoryId?: number | null;
  assigneeId?: number | null;
  tags?: string[];
  version: number;
}

/** One action on the tickets picked in the queue (`POST /tickets/bulk`). */
export interface BulkAction {
  addTags?: string[];
  removeTags?: string[];
  status?: TicketStatus;
  assigneeId?: number | null;
}

export interface BulkResult {
  items: { id: number; ok: boolean; error?: { code: string; message: string } }[];
}

export const api = {
  devLoginOptions: () => request<{ enabled: boolean }>('GET', '/dev/login-options'),
  devLogin: (as: Role, language?: 'ru' | 'en') =>
    request<{ initData: string }>('POST', '/dev/login', { as, language }),
  me: () =>
    request<User | { user: User }>('GET', '/me').then((r) => ('user' in r && r.user ? r.user : (r as User))),

  listTickets: (filters: TicketFilters = {}) =>
    request<Page<TicketRow>>('GET', '/tickets', undefined, { ...filters }).then((p) => ({
      items: items(p),
      nextCursor: p?.nextCursor ?? null,
    })),
  createTicket: (input: {
    subject: string;
    body: string;
    categoryId?: number | null;
    clientMessageId?: string;
  }) => request<Ticket>('POST', '/tickets', input),
  getTicket: (id: number) => request<TicketDetail>('GET', `/tickets/${id}`),
  patchTicket: (id: number, patch: TicketPatch) => request<Ticket>('PATCH', `/tickets/${id}`, patch),
  claim: (id: number) => request<Ticket>('POST', `/tickets/${id}/claim`),
  /** Moves this person's read marker (the list's unread count) up to `seq`. */
  markRead: (id: number, seq: number) => request<unknown>('POST', `/tickets/${id}/read`, { seq }),
  listMessages: (id: number, after = 0, limit = 200) =>
    request<Message[] | Page<Message>>('GET', `/tickets/${id}/messages`, undefined, { after, limit }).then(
      items,
    ),
  postMessage: (id: number, input: { body: string; internal?: boolean; clientMessageId: string }) =>
    request<Message>('POST', `/tickets/${id}/messages`, input),
  postMessageWithFiles: (
    id: number,
    input: { body: string; internal?: boolean; clientMessageId: string },
    files: File[],
    onProgress: (fraction: number) => void,
  ) => upload<Message>(`/tickets/${id}/messages`, input, files, onProgress),
  rate: (id: number, score: number, comment?: string) =>
    request<unknown>('POST', `/tickets/${id}/rating`, comment ? { score, comment } : { score }),

  categories: (includeArchived = false) =>
    request<Category[] | Page<Category>>(
      'GET',
      '/categories',
      undefined,
      includeArchived ? { archived: '1' } : undefined,
    ).then(items),
  createCategory: (input: { name: string; description?: string | null }) =>
    request<Category>('POST', '/categories', input),
  updateCategory: (id: number, input: { name?: string; description?: string | null; archived?: boolean }) =>
    request<Category>('PATCH', `/categories/${id}`, input),
  deleteCategory: (id: number) => request<unknown>('DELETE', `/categories/${id}`),

  cannedReplies: () => request<CannedReply[] | Page<CannedReply>>('GET', '/canned-replies').then(items),
  createCanned: (input: { shortcut: string; title: string; body: string; shared?: boolean }) =>
    request<CannedReply>('POST', '/canned-replies', input),
  updateCanned: (id: number, input: { shortcut?: string; title?: string; body?: string }) =>
    request<CannedReply>('PATCH', `/canned-replies/${id}`, input),
  deleteCanned: (id: number) => request<unknown>('DELETE', `/canned-replies/${id}`),

  agents: (q?: string) =>
    request<StaffUser[] | Page<StaffUser>>('GET', '/agents', undefined, q ? { q } : undefined).then(items),
  setRole: (telegramId: number, role: Role) => request<StaffUser>('PUT', `/agents/${telegramId}`, { role }),

  stats: (range?: { from: string; to: string }) => request<Stats>('GET', '/stats', undefined, range),
  agentReport: (range?: { from: string; to: string }) =>
    request<AgentReport>('GET', '/stats/agents', undefined, range),

  serviceLevels: () => request<ServiceLevels>('GET', '/settings/service-levels'),
  saveServiceLevels: (settings: ServiceLevels) =>
    request<ServiceLevels>('PUT', '/settings/service-levels', settings),
  setAvailability: (status: 'online' | 'away') => request<User>('PUT', '/me/availability', { status }),
  tags: (q?: string) =>
    request<{ items: TagCount[] }>('GET', '/tags', undefined, q ? { q } : undefined).then(items),
  bulk: (ids: number[], action: BulkAction) =>
    request<BulkResult>('POST', '/tickets/bulk', { ids, ...action }),
  merge: (id: number, into: number) =>
    request<{ merged: Ticket; into: Ticket }>('POST', `/tickets/${id}/merge`, { into }),
  customer: (telegramId: number) => request<CustomerCard>('GET', `/customers/${telegramId}`),
  saveCustomerNote: (telegramId: number, note: string) =>
    request<CustomerCard>('PATCH', `/customers/${telegramId}`, { note }),
  requestContact: (id: number) => request<Ticket>('POST', `/tickets/${id}/request-contact`),
  renameTag: (name: string, to: string) =>
    request<TagCount>('PUT', `/tags/${encodeURIComponent(name)}`, { name: to }),
};

/** A client-chosen idempotency key (letters, digits, `-`). */
export function newClientMessageId(): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `m-${Date.now().toString(36)}-${random}`;
}

/**
 * Fetches a file the API serves behind auth (attachments) as a blob URL the page can show or save; only a raster
 * image keeps its type (safeBlob).
 */
/**
 * A message with files as multipart/form-data (the text fields first, then each file as `files`), through
 * XMLHttpRequest: fetch cannot report an upload's progress.
 */
function upload<T>(
  path: string,
  fields: { body: string; internal?: boolean; clientMessageId: string },
  files: File[],
  onProgress: (fraction: number) => void,
): Promise<T> {
  const form = new FormData();
  form.append('body', fields.body);
  if (fields.internal) form.append('internal', 'true');
  form.append('clientMessageId', fields.clientMessageId);
  for (const file of files) form.append('files', file, file.name);
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}${path}`);
    if (initData) xhr.setRequestHeader('authorization', `tma ${initData}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', t('error.network')));
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(json as T);
        return;
      }
      const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      reject(
        new ApiError(
          xhr.status,
          err?.code ?? `http_${xhr.status}`,
          err?.message ?? xhr.statusText,
          err?.details,
        ),
      );
    };
    xhr.send(form);
  });
}

export async function fetchBlobUrl(path: string, playAs?: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      headers: initData ? { authorization: `tma ${initData}` } : {},
    });
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (!response.ok) {
    const err = (
      (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null
    )?.error;
    throw new ApiError(
      response.status,
      err?.code ?? `http_${response.status}`,
      err?.message ?? response.statusText,
    );
  }
  return URL.createObjectURL(safeBlob(await response.blob(), playAs));
}

/** The CSV exports of the stats screen. */
export type CsvExport = 'agents' | 'tickets';

/**
 * Downloads a CSV export of the range behind auth: fetched with the Authorization header (a URL alone would not
 * carry it, so Telegram's downloadFile cannot fetch it), then saved from a blob URL as `<kind>-<from>-<to>.csv`.
 */
export async function downloadCsv(kind: CsvExport, range: { from: string; to: string }): Promise<void> {
  const query = new URLSearchParams(range).toString();
  let response: Response;
  try {
    response = await fetch(`${API_BASE}/stats/${kind}.csv?${query}`, {
      headers: initData ? { authorization: `tma ${initData}` } : {},
    });
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (!response.ok) throw new ApiError(response.status, `http_${response.status}`, response.statusText);
  const blob = new Blob([await response.blob()], { type: 'text/csv' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${kind}-${range.from}-${range.to}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
