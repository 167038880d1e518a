export * from './services';
export * from './database';
export * from './redis-server';
