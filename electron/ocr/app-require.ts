import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * `require` for finding the OCR packages (models, versions) in node_modules. Bundled (the app,
 * the CLI) there is a __filename; unbundled as an ES module (vitest, tsx) there is none, and
 * the project root (the working directory) resolves the same node_modules.
 */
export const appRequire = createRequire(
  typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'package.json'),
);
