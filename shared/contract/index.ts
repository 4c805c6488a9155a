import type { z } from 'zod';
import type { CommandSpec, EventSpec } from './define';
// Plain-language validation messages for every schema below (installed on import).
import '../domain/messages';
import { stationCommands, stationEvents } from './station';
import { authCommands, authEvents } from './auth';
import { devicesCommands, devicesEvents } from './devices';
import { queueCommands, queueEvents } from './queue';
import { batchesCommands, batchesEvents } from './batches';
import { auditCommands, auditEvents } from './audit';
import { catalogCommands, catalogEvents } from './catalog';
import { settingsCommands, settingsEvents } from './settings';
import { discoveryCommands } from './discovery';
import { reportsCommands, reportsEvents } from './reports';
import { trainingCommands, trainingEvents } from './training';
import { transferCommands, transferEvents } from './transfer';
import { searchCommands } from './search';

/**
 * The whole IPC contract: every command (name → input/output schema and access) and every event
 * (name → payload schema). Each area keeps its own file; this table is the one place they meet.
 */
export const commands = {
  ...stationCommands,
  ...authCommands,
  ...devicesCommands,
  ...queueCommands,
  ...batchesCommands,
  ...auditCommands,
  ...catalogCommands,
  ...settingsCommands,
  ...discoveryCommands,
  ...reportsCommands,
  ...trainingCommands,
  ...transferCommands,
  ...searchCommands,
} as const satisfies Record<string, CommandSpec>;

export const events = {
  ...stationEvents,
  ...authEvents,
  ...devicesEvents,
  ...queueEvents,
  ...batchesEvents,
  ...auditEvents,
  ...catalogEvents,
  ...settingsEvents,
  ...reportsEvents,
  ...trainingEvents,
  ...transferEvents,
} as const satisfies Record<string, EventSpec>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]['payload']>;

export type AnyEvent = { [N in EventName]: { name: N; payload: EventPayload<N> } }[EventName];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

export * from './define';
export * from './errors';
export * from './station';
export * from './auth';
export * from './devices';
export * from './queue';
export * from './batches';
export * from './audit';
export * from './catalog';
export * from './settings';
export * from './discovery';
export * from './reports';
export * from './training';
export * from './search';
export * from './session';
export * from './wire';
export * from './transfer';
