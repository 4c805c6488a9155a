import type { CommandSpec, EventSpec } from './define';

export const authCommands = {} satisfies Record<string, CommandSpec>;

export const authEvents = {} satisfies Record<string, EventSpec>;
