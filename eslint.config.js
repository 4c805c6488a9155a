// Lint enforces the layering of ../shared/architecture.md at error level: the path of a file
// says where it runs and what it may import.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const LAYERS = [
  'storage',
  'core',
  'audit',
  'queue',
  'scanner',
  'pipeline',
  'catalog',
  'auth',
  'transport',
  'handlers',
  'cli',
];

/** An electron/<layer>/ folder may import only the layers listed (plus itself). */
const ALLOWED = {
  storage: [],
  core: ['storage'],
  settings: ['storage', 'core'],
  audit: ['storage', 'core'],
  queue: ['storage', 'core'],
  auth: ['storage', 'core', 'audit', 'settings'],
  scanner: ['storage', 'core', 'audit'],
  pipeline: ['storage', 'core', 'audit', 'queue', 'scanner', 'catalog'],
  catalog: ['storage', 'core', 'audit', 'queue'],
};

function layerRules(layer) {
  const forbidden = LAYERS.filter((l) => l !== layer && !ALLOWED[layer].includes(l));
  return {
    files: [`electron/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only electron/main.ts, preload.ts and transport/ipc.ts may import electron.',
            },
          ],
          patterns: [
            {
              group: forbidden
                .flatMap((l) => [`../${l}/*`, `../../${l}/*`, `../${l}`, `../../${l}`])
                .concat(['../station', '../../station', '**/renderer/**']),
              message: `electron/${layer} may import only: ${['shared', ...ALLOWED[layer]].join(', ')} (see ../shared/architecture.md)`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'release/**', 'bench/.work/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only electron/main.ts, preload.ts and transport/ipc.ts may import electron.',
            },
          ],
        },
      ],
    },
  },
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
  {
    files: ['electron/main.ts', 'electron/preload.ts', 'electron/transport/ipc.ts', 'test/e2e/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['bin/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
