#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'electron', 'cli.cjs');
if (!fs.existsSync(cli)) {
  process.stderr.write('quire: the CLI is not built yet. Run `npm run build` in the Quire folder first.\n');
  process.exit(1);
}
require(cli).runCli(process.argv);
