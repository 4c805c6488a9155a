import path from 'node:path';
import type { Command } from 'commander';
import { REALISTIC_SIMULATOR_TIMING } from '../station';
import { stationEndpoint } from '../transport/station-endpoint';
import { startBridge } from '../transport/ws-bridge';
import { failWith, openCliStation, printJson, withDataOption } from './common';
import { labDatabaseFromCli, labFromCli, withLabOptions, type LabCliOptions } from './lab-options';

/**
 * `quire serve`: the station core behind the loopback WebSocket bridge, serving the built
 * renderer, so the console runs in any local browser (npm run start:browser) and in e2e tests.
 */
export function registerServeCommand(program: Command, rendererRoot: string): void {
  withLabOptions(withDataOption(program.command('serve')))
    .description('run the station with the console in a local browser (loopback only)')
    .option('--port <port>', 'bridge port (default: a free port)', '0')
    .option('--simulators <n>', 'simulated ScanLink scanners to start on loopback', '3')
    .option('--escl-simulators <n>', 'simulated eSCL scanners to start on loopback', '1')
    .action(
      async (
        opts: LabCliOptions & { data?: string; port: string; simulators: string; esclSimulators: string },
      ) => {
        let lab;
        let labDatabase;
        try {
          lab = labFromCli(opts);
          labDatabase = labDatabaseFromCli(opts);
        } catch (error) {
          failWith(2, { code: 'INVALID_INPUT', message: (error as Error).message });
        }
        const station = await openCliStation(opts, {
          lab,
          labDatabase,
          simulators: Number(opts.simulators),
          esclSimulators: Number(opts.esclSimulators),
          simulatorTiming: REALISTIC_SIMULATOR_TIMING,
          runWorkers: true,
        });
        const bridge = await startBridge({
          ...stationEndpoint(station),
          port: Number(opts.port),
          staticRoot: path.resolve(rendererRoot),
        });
        const stop = async () => {
          await bridge.close();
          await station.close(); // releases the data folder's lock
          process.exit(0);
        };
        process.once('SIGINT', () => void stop());
        process.once('SIGTERM', () => void stop());
        // The line says "ready", so it comes after the handlers: a script that stops the station as
        // soon as it reads it must get a clean shutdown, not the default kill.
        printJson({ url: bridge.appUrl, dataDir: station.layout.root, port: bridge.port });
      },
    );
}
