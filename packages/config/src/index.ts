export * from './bot-token';
export * from './env';
export * from './logger';
export * from './shutdown';
