export * from './blobs/blob-store';
export { type S3Config, s3ConfigOf } from './blobs/s3-objects';
export {
  type CreateDbOptions,
  createDb,
  type Database,
  type DbClient,
  isTransaction,
  type Queryable,
  runTransaction,
  type Transaction,
} from './client';
export * from './job-queue';
export { iso } from './mappers';
export * from './migrate';
export { monitorReplica, type ReplicaMonitor, type ReplicaMonitorOptions } from './replica';
export { isConnectionError, isStatementTimeout, withConnectionRetry } from './retry';
export * as schema from './schema';
export * from './use-cases';
