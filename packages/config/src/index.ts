export * from './bot-token';
export * from './env';
export * from './health';
export * from './logger';
export * from './shutdown';
export * from './slow-uploads';
