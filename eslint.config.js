// Lint enforces the layering of ../shared/architecture.md at error level: the path of a file
// says where it runs and what it may import. Every linted file belongs to a zone below; a file
// in no zone fails lint (quire/in-a-zone), so a new folder cannot slip past the layering.
import path from 'node:path';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The main process, bottom to top. An electron/<layer>/ folder may import only the layers it
 * lists (plus itself and shared/); `station` is electron/station.ts (the composition root) and
 * `version` electron/version.ts. handlers/, transport/ and cli/ sit on top: they serve the whole
 * core, station included, and nothing below may import them.
 */
const BELOW_THE_STATION = [
  'storage',
  'core',
  'settings',
  'audit',
  'queue',
  'scanner',
  'catalog',
  'transfer',
  'pipeline',
  'auth',
  'records',
  'reports',
  'training',
  'version',
  'ocr',
];
const ALLOWED = {
  storage: [],
  core: ['storage'],
  // Settings are kept behind records/' SettingsRecords interface; station.ts picks the engines.
  settings: ['storage', 'core', 'records'],
  audit: ['storage', 'core', 'version'],
  queue: ['storage', 'core'],
  scanner: ['storage', 'core', 'audit'],
  // The catalog's records are kept behind records/' CatalogRecords interface; station.ts picks the engine.
  catalog: ['storage', 'core', 'audit', 'queue', 'records'],
  // Sending finished packages to repository storage: destinations, resume, shaping, verification.
  transfer: ['storage', 'core'],
  // OCR engines and ALTO: pure page work, below the pipeline that schedules it.
  ocr: ['storage', 'core', 'version'],
  pipeline: [
    'storage',
    'core',
    'audit',
    'queue',
    'scanner',
    'catalog',
    'transfer',
    'version',
    'ocr',
    'records',
  ],
  // Accounts and sessions are kept behind records/' AccountStore interface; station.ts picks the engine.
  auth: ['storage', 'core', 'audit', 'settings', 'records'],
  // The lab's shared records on PostgreSQL (lab mode part 2).
  records: ['storage', 'core', 'audit'],
  // Read-only shift reports over the batch ledger's tables.
  reports: ['storage', 'core'],
  // Practice scanners and their faults, behind the station's training-mode setting.
  training: ['storage', 'core', 'settings', 'scanner'],
  // transport/ and handlers/ use each other: the handler table is typed by the dispatcher.
  transport: [...BELOW_THE_STATION, 'station', 'handlers'],
  handlers: [...BELOW_THE_STATION, 'station', 'transport'],
  cli: [...BELOW_THE_STATION, 'station', 'transport', 'handlers'],
};

/** The top-level files of electron/, each a zone of its own, with what it may import. */
const TOP_LEVEL = {
  version: { file: 'electron/version.ts', allowed: [] },
  station: { file: 'electron/station.ts', allowed: BELOW_THE_STATION },
  // The CLI entry point: commander wiring over cli/.
  'cli-entry': { file: 'electron/cli.ts', allowed: [...BELOW_THE_STATION, 'station', 'cli'] },
  main: {
    file: 'electron/main.ts',
    allowed: ['storage', 'core', 'settings', 'version', 'station', 'transport'],
  },
  preload: { file: 'electron/preload.ts', allowed: [] },
};

/** Everything an electron/ file could name: folders, and top-level files by their import name. */
const IMPORTABLE = [...Object.keys(ALLOWED), 'station', 'version', 'main', 'preload'];

const ELECTRON_IMPORT = {
  name: 'electron',
  message: 'Only electron/main.ts, preload.ts and transport/ipc.ts may import electron.',
};

function forbiddenPatterns(importable, prefixes) {
  return importable.flatMap((l) => prefixes.flatMap((prefix) => [`${prefix}${l}`, `${prefix}${l}/*`]));
}

/** The three files that talk to Electron itself. */
const ELECTRON_FILES = ['electron/main.ts', 'electron/preload.ts', 'electron/transport/ipc.ts'];

/**
 * The queue's engines (../shared/architecture.md): only electron/queue/ itself chooses one, only
 * sqlite/ holds queue SQL and only bullmq/ talks to Redis; neither engine imports the other.
 */
const ENGINE_PATTERNS = {
  outside: {
    group: [
      '**/queue/sqlite',
      '**/queue/sqlite/*',
      '**/queue/bullmq',
      '**/queue/bullmq/*',
      'bullmq',
      'ioredis',
    ],
    message: 'Only electron/queue/ names a queue engine: use the TaskQueue interface (queue/queue.ts).',
  },
  sqlite: {
    group: ['../bullmq', '../bullmq/*', 'bullmq', 'ioredis'],
    message: 'The SQLite engine does not import the BullMQ engine.',
  },
  bullmq: {
    group: ['../sqlite', '../sqlite/*', 'better-sqlite3'],
    message: 'The BullMQ engine does not import the SQLite engine.',
  },
};

/** The account store's engines: auth/ keeps the rules and talks to records/' AccountStore only. */
const ACCOUNT_ENGINES = {
  group: ['../records/postgres', '../records/postgres/*', '../records/sqlite', '../records/sqlite/*', 'pg'],
  message: 'auth/ uses the AccountStore interface (records/account-store.ts); station.ts picks the engine.',
};

/** The catalog's engines: catalog/ syncs and reads through records/' CatalogRecords only. */
const CATALOG_ENGINES = {
  group: ['../records/postgres', '../records/postgres/*', '../records/sqlite', '../records/sqlite/*', 'pg'],
  message:
    'catalog/ uses the CatalogRecords interface (records/catalog-records.ts); station.ts picks the engine.',
};
/** The settings records' engines: settings/ keeps the rules and talks to the interface only. */
const SETTINGS_ENGINES = {
  group: ACCOUNT_ENGINES.group,
  message:
    'settings/ uses the SettingsRecords interface (records/settings-records.ts); station.ts picks the engines.',
};

function enginePatterns(files) {
  const patterns = files.some((f) => f.startsWith('electron/queue/')) ? [] : [ENGINE_PATTERNS.outside];
  if (files.some((f) => f.startsWith('electron/auth/'))) patterns.push(ACCOUNT_ENGINES);
  if (files.some((f) => f.startsWith('electron/catalog/'))) patterns.push(CATALOG_ENGINES);
  if (files.some((f) => f.startsWith('electron/settings/'))) patterns.push(SETTINGS_ENGINES);
  return patterns;
}

function restrictImports(files, zone, allowed, prefixes, extra = enginePatterns(files)) {
  const layer = zone.replace(/^electron\//, '');
  const forbidden = IMPORTABLE.filter((l) => l !== zone && l !== layer && !allowed.includes(l));
  const electron = files.some((f) => ELECTRON_FILES.includes(f)) ? [] : [ELECTRON_IMPORT];
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electron,
          patterns: [
            {
              group: forbiddenPatterns(forbidden, prefixes).concat(['**/renderer/**']),
              message: `${zone} may import only: ${['shared', ...allowed].join(', ')} (see ../shared/architecture.md)`,
            },
            ...extra,
          ],
        },
      ],
    },
  };
}

const LAYER_PREFIXES = ['../', '../../', '../../../'];
const layerRules = (layer) =>
  restrictImports([`electron/${layer}/**/*.ts`], `electron/${layer}`, ALLOWED[layer], LAYER_PREFIXES);
const topLevelRules = ({ file, allowed }) => restrictImports([file], file, allowed, ['./']);

/**
 * Every zone's files. The layering rules above and below are written per zone; this list is
 * what quire/in-a-zone checks against, so keep a new zone's files here as well.
 */
const ZONES = [
  ...Object.keys(ALLOWED).map((layer) => `electron/${layer}/**`),
  ...Object.values(TOP_LEVEL).map((t) => t.file),
  'shared/**',
  'renderer/**',
  'test/**',
  'bench/**',
  'scripts/**',
  'bin/**',
  '*.config.{js,mjs,cjs,ts}',
];

/** Reports a file that no zone claims; each zone switches it off for its own files. */
const zonePlugin = {
  rules: {
    'in-a-zone': {
      meta: {
        type: 'problem',
        schema: [],
        messages: {
          unzoned:
            '{{file}} is in no lint zone, so no layering rule applies to it: add it to ZONES in eslint.config.js (with the imports it may make)',
        },
      },
      create(context) {
        return {
          Program(node) {
            const file = path.relative(context.cwd, context.filename).split(path.sep).join('/');
            context.report({ node, messageId: 'unzoned', data: { file } });
          },
        };
      },
    },
  },
};

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'release/**', 'bench/.work/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { quire: zonePlugin },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [ELECTRON_IMPORT] }],
    },
  },
  {
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    rules: { 'quire/in-a-zone': 'error' },
  },
  { files: ZONES, rules: { 'quire/in-a-zone': 'off' } },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!zod$|\\.)', message: 'shared/ may import zod and its own files only.' },
            {
              group: ['**/electron/**', '**/renderer/**', '../../*'],
              message: 'shared/ may not import electron/ or renderer/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/electron/**', 'electron'],
              message: 'The renderer talks to main through shared/ contracts only.',
            },
            { regex: '^node:', message: 'The renderer runs in a browser: no Node modules.' },
            {
              group: ['better-sqlite3', 'sharp', 'ws', 'pino', 'undici', 'commander', 'cockatiel'],
              message: 'Node-only package in the renderer.',
            },
          ],
        },
      ],
    },
  },
  ...Object.keys(ALLOWED).map(layerRules),
  // The two engines, each with the queue layer's rules plus its own isolation.
  restrictImports(['electron/queue/sqlite/**/*.ts'], 'electron/queue', ALLOWED.queue, LAYER_PREFIXES, [
    ENGINE_PATTERNS.sqlite,
  ]),
  restrictImports(['electron/queue/bullmq/**/*.ts'], 'electron/queue', ALLOWED.queue, LAYER_PREFIXES, [
    ENGINE_PATTERNS.bullmq,
  ]),
  ...Object.values(TOP_LEVEL).map(topLevelRules),
  // transport/ipc.ts: the transport layer's rules, except that it may import electron.
  restrictImports(['electron/transport/ipc.ts'], 'electron/transport', ALLOWED.transport, LAYER_PREFIXES),
  {
    // Tests, benchmarks and build scripts drive the whole app from outside: anything but the
    // renderer's internals from Node code, and Electron only in the Electron e2e tests.
    files: ['test/e2e/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['bin/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
