export * from './atomic-file';
export * from './data-dir';
export * from './database';
export * from './disk-space';
export * from './safe-id';
export * from './write-faults';
export * from './data-dir-lock';
export * from './health-checks';
