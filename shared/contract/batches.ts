import type { CommandSpec, EventSpec } from './define';

export const batchesCommands = {} satisfies Record<string, CommandSpec>;

export const batchesEvents = {} satisfies Record<string, EventSpec>;
