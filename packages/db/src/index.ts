export * from './client';
export { iso } from './mappers';
export * from './migrate';
export * as schema from './schema';
export * from './use-cases';
