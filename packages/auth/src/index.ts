export * from './init-data';
