import type { CommandSpec, EventSpec } from './define';

export const queueCommands = {} satisfies Record<string, CommandSpec>;

export const queueEvents = {} satisfies Record<string, EventSpec>;
