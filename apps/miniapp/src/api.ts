import { upload } from './files-api';
import { request } from './http';
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

export { type CsvExport, downloadCsv, fetchBlobUrl } from './files-api';
export { API_BASE, ApiError, errorText, getInitData, request, setInitData } from './http';

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
