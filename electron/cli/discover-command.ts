import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_DISCOVERY_SECONDS, discoverScanners } from '../scanner/discovery/discover';
import { endProgress, printJson, progress } from './common';

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.5 || n > 30)
    throw new InvalidArgumentError('--seconds must be between 0.5 and 30');
  return n;
}

/**
 * `quire discover`: one JSON line listing the scanners found on the network (DNS-SD) and on this
 * station (SANE), each with the URL `quire probe` / `quire capture` take. Exit 0 even when
 * nothing was found; `problems` says what could not be searched.
 */
export function registerDiscoverCommand(program: Command): void {
  program
    .command('discover')
    .description('list scanners on the network (mDNS) and attached to this station')
    .option('--seconds <s>', 'how long to listen for network scanners', seconds, DEFAULT_DISCOVERY_SECONDS)
    .action(async (opts: { seconds: number }) => {
      progress(`listening for scanners for ${opts.seconds} s…`);
      const result = await discoverScanners({ seconds: opts.seconds });
      endProgress();
      printJson(result);
    });
}
