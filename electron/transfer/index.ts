export * from './credentials';
export * from './destination';
export * from './destination-url';
export * from './host-keys';
export * from './progress-store';
export * from './rate';
export * from './transfer-engine';
export type { VerifyMode } from './verify-destination';
export * from './module';
