import type {
  Attachment,
  CannedReply,
  Category,
  Message,
  Rating,
  Ticket,
  User,
  UserSummary,
} from '@tikethet/domain';
import { displayName, languageFrom } from '@tikethet/domain';
import type { InferSelectModel } from 'drizzle-orm';
import type { attachments, cannedReplies, categories, messages, ratings, tickets, users } from './schema';

type UserRow = InferSelectModel<typeof users>;
/** A ticket as read (`ticketColumns`: without its search vector). */
type TicketRow = Omit<InferSelectModel<typeof tickets>, 'search'>;
/** What a ticket's JSON is made of (`ticketViewColumns`): lists read only these. */
type TicketViewRow = Pick<TicketRow, TicketViewField>;
export type TicketViewField =
  | 'id'
  | 'subject'
  | 'status'
  | 'priority'
  | 'categoryId'
  | 'customerId'
  | 'assigneeId'
  | 'version'
  | 'lastSeq'
  | 'source'
  | 'createdAt'
  | 'updatedAt'
  | 'lastMessageAt'
  | 'lastMessagePreview'
  | 'firstResponseAt'
  | 'resolvedAt'
  | 'closedAt'
  | 'rating'
  | 'slaFirstResponseDueAt'
  | 'slaNextResponseDueAt'
  | 'slaResolutionDueAt'
  | 'slaBreachedAt'
  | 'slaPausedAt'
  | 'tags'
  | 'mergedIntoId';
/** A message as read (`messageColumns`: without its search vector). */
type MessageRow = Omit<InferSelectModel<typeof messages>, 'search'>;
type AttachmentRow = InferSelectModel<typeof attachments>;

/**
 * Postgres timestamps (string or Date, depending on the query path) as ISO-8601 in UTC with milliseconds,
 * exactly as `Date#toISOString` writes them (fractions truncated). Postgres's own UTC text
 * (`2026-11-24 08:15:16.008115+00`) is rewritten directly: lists map hundreds of these per request.
 */
export function iso(value: string | Date): string {
  if (typeof value === 'string' && isPgUtcText(value)) {
    const fraction = value.slice(19, -3);
    return `${value.slice(0, 10)}T${value.slice(11, 19)}${`${fraction || '.'}000`.slice(0, 4)}Z`;
  }
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** `YYYY-MM-DD HH:MM:SS[.f…]+00`: what Postgres writes for a timestamptz in a UTC session. */
function isPgUtcText(v: string): boolean {
  return (
    v.length >= 22 &&
    v.length <= 29 &&
    v[4] === '-' &&
    v[7] === '-' &&
    v[10] === ' ' &&
    v[13] === ':' &&
    v[16] === ':' &&
    (v.length === 22 || v[19] === '.') &&
    v.endsWith('+00')
  );
}
export function isoOrNull(value: string | Date | null): string | null {
  return value === null ? null : iso(value);
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    firstName: row.firstName,
    lastName: row.lastName,
    username: row.username,
    languageCode: row.languageCode,
    language: languageFrom(row.languageCode),
    photoUrl: row.photoUrl,
    role: row.role,
    availability: row.availability,
    createdAt: iso(row.createdAt),
  };
}

export function toUserSummary(
  row: Pick<UserRow, 'id' | 'firstName' | 'lastName' | 'username' | 'role'>,
): UserSummary {
  return {
    id: row.id,
    firstName: row.firstName,
    lastName: row.lastName,
    username: row.username,
    role: row.role,
  };
}

export function toTicket(row: TicketViewRow): Ticket {
  return {
    id: row.id,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    categoryId: row.categoryId,
    customerId: row.customerId,
    assigneeId: row.assigneeId,
    version: row.version,
    lastSeq: row.lastSeq,
    source: row.source,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    lastMessageAt: iso(row.lastMessageAt),
    lastMessagePreview: row.lastMessagePreview,
    firstResponseAt: isoOrNull(row.firstResponseAt),
    resolvedAt: isoOrNull(row.resolvedAt),
    closedAt: isoOrNull(row.closedAt),
    rating: row.rating,
    sla: {
      firstResponseDueAt: isoOrNull(row.slaFirstResponseDueAt),
      nextResponseDueAt: isoOrNull(row.slaNextResponseDueAt),
      resolutionDueAt: isoOrNull(row.slaResolutionDueAt),
      breachedAt: isoOrNull(row.slaBreachedAt),
      pausedAt: isoOrNull(row.slaPausedAt),
    },
    tags: row.tags ?? [],
    mergedIntoId: row.mergedIntoId ?? null,
  };
}

export function toAttachment(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    kind: row.kind,
    fileName: row.fileName,
    mimeType: row.mimeType,
    size: row.size,
    width: row.width,
    height: row.height,
  };
}

export function toMessage(
  row: MessageRow,
  author: Pick<UserRow, 'id' | 'firstName' | 'lastName' | 'username' | 'role'> | null,
  files: AttachmentRow[] = [],
): Message {
  return {
    id: row.id,
    ticketId: row.ticketId,
    seq: row.seq,
    kind: row.kind,
    internal: row.kind === 'note',
    authorId: row.authorId,
    author: author
      ? {
          id: author.id,
          name: displayName(author),
          role: author.role,
        }
      : null,
    body: row.body,
    originalBody: row.originalBody,
    clientMessageId: row.clientMessageId,
    via: row.via,
    delivery: row.delivery,
    createdAt: iso(row.createdAt),
    editedAt: isoOrNull(row.editedAt),
    attachments: [...files].sort(filesOrder).map(toAttachment),
  };
}

/** A message's files in order: an album's by the item they came in (`position`), others as written. */
function filesOrder(a: AttachmentRow, b: AttachmentRow): number {
  return (a.position ?? 0) - (b.position ?? 0) || a.id - b.id;
}

export function toCategory(row: InferSelectModel<typeof categories>): Category {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    position: row.position,
    archived: row.archived,
  };
}

export function toCannedReply(row: InferSelectModel<typeof cannedReplies>): CannedReply {
  return {
    id: row.id,
    ownerId: row.ownerId,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    createdAt: iso(row.createdAt),
  };
}

export function toRating(row: InferSelectModel<typeof ratings>): Rating {
  return { ticketId: row.ticketId, score: row.score, comment: row.comment, createdAt: iso(row.createdAt) };
}

/** The one-line preview of a message shown in ticket lists. */
export function previewOf(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}
