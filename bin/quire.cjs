#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const cli = path.join(__dirname, '..', 'dist', 'electron', 'cli.cjs');
if (!fs.existsSync(cli)) {
  process.stderr.write('quire: the CLI is not built yet. Run `npm run build` in the Quire folder first.\n');
  process.exit(1);
}

/**
 * V8 options some commands run with; they can only be given when Node starts, so such a command
 * starts Node once more. `transfer` sends a package through ssh2, whose per-packet buffers make
 * V8 collect its whole heap every few tens of milliseconds; with the default, concurrent marking
 * threads took a core from the sshd or the disk on a 2-core station (a gigabyte over SFTP: 4.0-4.6
 * CPU seconds and 170-195 MiB/s, against 2.8 and 218-224 single-threaded). See docs/benchmarks.md.
 */
const V8_OPTIONS = { transfer: ['--single-threaded-gc'] };
const RELAUNCHED = 'QUIRE_CLI_RELAUNCHED';

const wanted = V8_OPTIONS[process.argv[2]];
if (wanted && !process.env[RELAUNCHED]) relaunch(wanted);
else {
  // A relaunched CLI ends with its launcher, as if killed with it: a launcher killed by SIGKILL
  // must not leave a transfer running on that nobody waits for (it resumes on the next run).
  if (process.env[RELAUNCHED] && process.channel) {
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  }
  require(cli).runCli(process.argv);
}

function relaunch(v8Options) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...v8Options, __filename, ...process.argv.slice(2)],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [RELAUNCHED]: '1' },
    },
  );
  // Ctrl-C reaches the whole foreground group, the child too; a signal sent to this process
  // alone is passed on.
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.once('error', (error) => {
    process.stderr.write(`quire: could not start ${process.execPath}: ${error.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (signal) {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(s, forward);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
