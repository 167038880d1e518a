import type { Bus } from '@tikethet/bus';
import { createLogger, type Logger } from '@tikethet/config';
import type { Database, Queryable } from '../client';
import { createEventPublisher, type EventPublisher } from '../publisher';
import { withConnectionRetry } from '../retry';
import { type Deps, inTransaction, type TxScope } from '../scope';
import * as albums from './albums';
import * as catalog from './catalog';
import * as customers from './customers';
import * as deadLetters from './dead-letters';
import { postMessageAlone } from './message-writer-alone';
import * as messages from './messages';
import * as outbox from './outbox';
import * as readEvents from './read-events';
import * as readTickets from './read-tickets';
import * as reports from './reports';
import * as serviceLevels from './service-levels';
import * as staff from './staff';
import * as stats from './stats';
import * as telegram from './telegram';
import * as telegramIngest from './telegram-ingest';
import * as tickets from './tickets';
import * as topics from './topics';
import * as triage from './triage';
import * as users from './users';

/** Every write: runs in a transaction scope; its events are published after commit. */
const writes = {
  upsertUser: users.upsertUser,
  setRole: users.setRole,
  createTicket: tickets.createTicket,
  updateTicket: tickets.updateTicket,
  claimTicket: tickets.claimTicket,
  rateTicket: tickets.rateTicket,
  bulkUpdateTicket: triage.bulkUpdateTicket,
  renameTag: triage.renameTag,
  mergeTickets: triage.mergeTickets,
  updateCustomer: customers.updateCustomer,
  recordOwnContact: customers.recordOwnContact,
  requestContact: customers.requestContact,
  setContactStep: customers.setContactStep,
  postMessage: messages.postMessage,
  joinAlbum: albums.joinAlbum,
  editMessage: messages.editMessage,
  setDelivery: messages.setDelivery,
  markRead: messages.markRead,
  createCategory: catalog.createCategory,
  updateCategory: catalog.updateCategory,
  archiveCategory: catalog.archiveCategory,
  createCannedReply: catalog.createCannedReply,
  updateCannedReply: catalog.updateCannedReply,
  deleteCannedReply: catalog.deleteCannedReply,
  claimTelegramUpdate: telegram.claimTelegramUpdate,
  linkTelegramMessage: telegram.linkTelegramMessage,
  rememberTelegramFile: telegram.rememberTelegramFile,
  ingestCustomerTexts: telegramIngest.ingestCustomerTexts,
  enqueueTelegram: outbox.enqueueTelegram,
  recordTelegramSent: outbox.recordTelegramSent,
  recordTelegramFailed: outbox.recordTelegramFailed,
  setState: outbox.setState,
  recordDeadLetter: deadLetters.recordDeadLetter,
  putServiceLevels: serviceLevels.putServiceLevels,
  setAvailability: serviceLevels.setAvailability,
  fireSlaTimer: serviceLevels.fireSlaTimer,
  recomputeSla: serviceLevels.recomputeSla,
  lockTopicMirror: topics.lockTopicMirror,
  saveTopicMirror: topics.saveTopicMirror,
  recordTopicCreated: topics.recordTopicCreated,
  forgetTopicThread: topics.forgetTopicThread,
  sendAutoReply: serviceLevels.sendAutoReply,
};

/** Every read: plain queries on the pool (or on the transaction inside `transaction`). */
const reads = {
  getUser: users.getUser,
  rolesOf: users.rolesOf,
  getBotChatId: users.getBotChatId,
  getBotChat: users.getBotChat,
  listUsers: users.listUsers,
  listTickets: readTickets.listTickets,
  getTicket: readTickets.getTicket,
  findTicket: readTickets.findTicket,
  latestOpenTicket: readTickets.latestOpenTicket,
  listMessages: messages.listMessages,
  findMessageBySeq: messages.findMessageBySeq,
  readEvents: readEvents.readEvents,
  readEventsSince: readEvents.readEventsSince,
  lastSeqsOf: readEvents.lastSeqsOf,
  lastEventId: readEvents.lastEventId,
  listCategories: catalog.listCategories,
  listCannedReplies: catalog.listCannedReplies,
  getStats: stats.getStats,
  getAgentReport: reports.getAgentReport,
  exportTicketsPage: reports.exportTicketsPage,
  listTags: triage.listTags,
  getCustomer: customers.getCustomer,
  getContactStep: customers.getContactStep,
  contactStepRequired: customers.contactStepRequired,
  hasVerifiedPhone: customers.hasVerifiedPhone,
  findTelegramLink: telegram.findTelegramLink,
  findAssigneeChat: telegram.findAssigneeChat,
  getAttachment: telegram.getAttachment,
  getAttachmentFile: telegram.getAttachmentFile,
  getState: outbox.getState,
  findOutboxByKeys: outbox.findOutboxByKeys,
  listStaffChats: staff.listStaffChats,
  listDeadLetters: deadLetters.listDeadLetters,
  getServiceLevels: serviceLevels.getServiceLevels,
  readServiceLevels: serviceLevels.readServiceLevels,
  findTicketTopic: topics.findTicketTopic,
  findTopicByThread: topics.findTopicByThread,
  findTelegramCopies: topics.findTelegramCopies,
  findAlbumOf: albums.findAlbumOf,
  telegramItemsOf: albums.telegramItemsOf,
  findMessageCreatedSeq: topics.findMessageCreatedSeq,
  findStaffByUsername: topics.findStaffByUsername,
};

type Writes = typeof writes;
type Reads = typeof reads;
type BoundWrite<F> = F extends (scope: TxScope, ...args: infer A) => Promise<infer R>
  ? (...args: A) => Promise<R>
  : never;
type BoundRead<F> = F extends (q: Queryable, ...args: infer A) => Promise<infer R>
  ? (...args: A) => Promise<R>
  : never;

/** The use-cases bound to one open transaction: everything inside commits or rolls back together. */
export type TransactionUseCases = { [K in keyof Writes]: BoundWrite<Writes[K]> } & {
  [K in keyof Reads]: BoundRead<Reads[K]>;
};

export type UseCases = TransactionUseCases & {
  /** Runs several use-cases in one transaction (e.g. the bot: claim the update_id, then post). */
  transaction<T>(fn: (t: TransactionUseCases) => Promise<T>): Promise<T>;
  /** Waits until every event handed to the bus so far has been published and marked. */
  flush(): Promise<void>;
  readonly publisher: EventPublisher;
};

function bindScope(scope: TxScope): TransactionUseCases {
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(writes)) {
    bound[name] = (...args: unknown[]) =>
      (fn as (s: TxScope, ...a: unknown[]) => Promise<unknown>)(scope, ...args);
  }
  for (const [name, fn] of Object.entries(reads)) {
    bound[name] = (...args: unknown[]) =>
      (fn as (q: Queryable, ...a: unknown[]) => Promise<unknown>)(scope.tx, ...args);
  }
  return bound as TransactionUseCases;
}

export interface UseCaseDeps {
  db: Database;
  bus: Bus;
  logger?: Logger;
}

/** The shared use-cases of the API and the bot: written once, here. */
export function createUseCases({ db, bus, logger = createLogger('db:use-cases') }: UseCaseDeps): UseCases {
  const publisher = createEventPublisher(db, bus, logger);
  const deps: Deps = { db, publisher, logger };
  const facade: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(writes)) {
    facade[name] = (...args: unknown[]) =>
      inTransaction(deps, (scope) =>
        (fn as (s: TxScope, ...a: unknown[]) => Promise<unknown>)(scope, ...args),
      );
  }
  for (const [name, fn] of Object.entries(reads)) {
    facade[name] = (...args: unknown[]) =>
      withConnectionRetry(() => (fn as (q: Queryable, ...a: unknown[]) => Promise<unknown>)(db, ...args));
  }
  // A message on its own is one statement when it can be (message-writer-alone.ts); inside `transaction`, as every write.
  facade.postMessage = (...args: Parameters<UseCases['postMessage']>) => postMessageAlone(deps, ...args);
  return Object.assign(facade as TransactionUseCases, {
    transaction: <T>(fn: (t: TransactionUseCases) => Promise<T>) =>
      inTransaction(deps, (scope) => fn(bindScope(scope))),
    flush: () => publisher.flush(),
    publisher,
  });
}

export { type AlbumItem, AlbumRaceError, type JoinedAlbum } from './albums';
export type { DeadLetter, DeadLetterPage } from './dead-letters';
export { describeFailure, isTransientFailure } from './dead-letters';
export type { MessageDraft, TelegramSource, WrittenMessage } from './message-writer';
export type { PostedMessage, PostMessageOptions } from './messages';
export type { OutboxItem, OutboxRow } from './outbox';
export {
  type ClaimedOutboxRow,
  createOutboxQueue,
  OUTBOX_CLAIM_LOCK,
  OUTBOX_LEASE_MS,
  OUTBOX_LEASE_RENEW_MS,
  type OutboxQueue,
} from './outbox-queue';
export { createPendingEventSource, toTicketEvent } from './read-events';
export type { ExportCursor, ExportedTicket } from './reports';
export type { StaffChat } from './staff';
export type { Stats } from './stats';
export type { IngestOutcome, IngestTextItem } from './telegram-ingest';
export type { CreatedTicket, CreateTicketOptions } from './tickets';
export type { TicketTopic } from './topics';
export type { MergeResult } from './triage';
export type { ListUsersQuery, UpsertUserOptions } from './users';
