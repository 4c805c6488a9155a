import { EsclSimulator, type EsclSimulatorOptions } from './escl-simulator';

export { EsclSimulator, type EsclSimulatorOptions, type SentDocument } from './escl-simulator';
export type { EsclSimFault } from './escl-faults';

/**
 * Starts a simulated eSCL scanner on loopback and resolves with it once it listens; its `url`
 * (`http://127.0.0.1:PORT/eSCL`) is the address to give the eSCL driver or sane-airscan.
 */
export async function startEsclSimulator(
  options: EsclSimulatorOptions = {},
  port = 0,
): Promise<EsclSimulator> {
  const sim = new EsclSimulator(options);
  await sim.start(port);
  return sim;
}
