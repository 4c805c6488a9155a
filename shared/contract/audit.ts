import type { CommandSpec, EventSpec } from './define';

export const auditCommands = {} satisfies Record<string, CommandSpec>;

export const auditEvents = {} satisfies Record<string, EventSpec>;
