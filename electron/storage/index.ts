export * from './atomic-file';
export * from './data-dir';
export * from './database';
export * from './safe-id';
