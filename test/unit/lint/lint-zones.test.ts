import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layering of ../shared/architecture.md as eslint.config.js enforces it, checked on small
 * made-up files at real paths (nothing is written: ESLint lints the text as if it were there).
 */
describe('lint zones', () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: process.cwd() });
  });

  async function problems(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  }
  const importing = (specifier: string) => `import { x } from '${specifier}';\nexport const y = x;\n`;

  it.each([
    ['electron/storage/x.ts', '../handlers/index'],
    ['electron/pipeline/x.ts', '../transport/dispatch'],
    ['electron/pipeline/packaging/x.ts', '../../cli/common'],
    ['electron/queue/x.ts', '../settings/settings-store'],
    ['electron/core/x.ts', '../settings/settings-store'],
    ['electron/auth/x.ts', '../station'],
    ['electron/settings/x.ts', '../audit/module'],
    ['electron/handlers/x.ts', '../cli/common'],
    ['electron/transport/x.ts', '../main'],
    ['electron/station.ts', './transport/dispatch'],
    ['electron/station.ts', './handlers/index'],
    ['electron/version.ts', './storage/index'],
    ['electron/main.ts', './cli/common'],
    ['electron/transport/ipc.ts', '../cli/common'],
    ['electron/cli/x.ts', '../../renderer/src/App'],
  ])('%s may not import %s', async (file, specifier) => {
    expect(await problems(file, importing(specifier))).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*may import only/),
    ]);
  });

  it.each([
    ['electron/auth/x.ts', '../settings/settings-store'],
    ['electron/pipeline/x.ts', '../scanner/module'],
    ['electron/pipeline/packaging/x.ts', '../../storage/index'],
    ['electron/handlers/x.ts', '../station'],
    ['electron/handlers/x.ts', '../transport/dispatch'],
    ['electron/transport/x.ts', '../handlers/index'],
    ['electron/cli/x.ts', '../transport/ws-bridge'],
    ['electron/station.ts', './pipeline/module'],
    ['electron/cli.ts', './cli/common'],
    ['electron/main.ts', './transport/ipc'],
    ['test/unit/x.test.ts', '../../electron/station'],
    ['bench/x.ts', '../electron/transport/ws-bridge'],
  ])('%s may import %s', async (file, specifier) => {
    expect(await problems(file, importing(specifier))).toEqual([]);
  });

  it('lets only main, preload and transport/ipc import electron', async () => {
    for (const file of ['electron/main.ts', 'electron/preload.ts', 'electron/transport/ipc.ts'])
      expect(await problems(file, importing('electron'))).toEqual([]);
    for (const file of ['electron/transport/ws-bridge.ts', 'electron/station.ts', 'electron/cli/x.ts'])
      expect(await problems(file, importing('electron'))).toEqual([
        expect.stringMatching(/Only electron\/main\.ts/),
      ]);
  });

  it.each(['electron/newlayer/x.ts', 'electron/helper.ts', 'stray.ts', 'tools/x.mjs', 'docs/x.js'])(
    'fails %s, which is in no zone',
    async (file) => {
      expect(await problems(file, 'export const y = 1;\n')).toEqual([
        expect.stringMatching(/^quire\/in-a-zone: .* is in no lint zone/),
      ]);
    },
  );
});
