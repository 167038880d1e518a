export * from './identity';
export * from './init-data';
export { InitDataCache, type InitDataCacheOptions } from './init-data-cache';
export { profileKey, UserCache, type UserCacheOptions } from './user-cache';
