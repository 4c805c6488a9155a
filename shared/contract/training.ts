import { z } from 'zod';
import { command } from './define';
import { DeviceStatus, SimulatorFault } from './devices';

export const trainingCommands = {
  'training.addSimulator': command({
    input: z.object({}).strict(),
    output: DeviceStatus,
    access: 'supervisor',
    summary: 'Adds a simulated scanner for practice (only while the station is in training mode).',
  }),
  'training.injectFault': command({
    input: z.object({ name: z.string().min(1).max(64), fault: SimulatorFault }).strict(),
    output: z.object({ ok: z.literal(true) }),
    access: 'supervisor',
    summary: 'Makes a simulated scanner jam or fail, so an operator can practise (training mode only).',
  }),
  'training.simulators': command({
    input: z.object({}).strict(),
    output: z.array(z.string()),
    access: 'supervisor',
    summary: 'The simulated scanners that faults can be injected into.',
  }),
};

export const trainingEvents = {};
