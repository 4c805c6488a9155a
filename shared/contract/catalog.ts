import type { CommandSpec, EventSpec } from './define';

export const catalogCommands = {} satisfies Record<string, CommandSpec>;

export const catalogEvents = {} satisfies Record<string, EventSpec>;
