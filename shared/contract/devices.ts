import type { CommandSpec, EventSpec } from './define';

export const devicesCommands = {} satisfies Record<string, CommandSpec>;

export const devicesEvents = {} satisfies Record<string, EventSpec>;
