export * from './client';
export { iso } from './mappers';
export * from './migrate';
export { isConnectionError, withConnectionRetry } from './retry';
export * as schema from './schema';
export * from './use-cases';
