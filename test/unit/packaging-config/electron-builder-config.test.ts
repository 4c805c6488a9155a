import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

// `npm run dist` needs the network, so CI checks the configuration it would use instead.
describe('electron-builder.yml', () => {
  interface BuilderConfig {
    linux: { target: string[] };
    win: { target: string[] };
    mac: { target: string[] };
    asar: boolean;
    asarUnpack: string[];
    electronFuses: Record<string, boolean>;
    files: string[];
  }
  const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;

  it('builds AppImage and deb, nsis and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
  });

  it('packs into asar with native modules unpacked', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/node_modules/better-sqlite3/**', '**/node_modules/sharp/**']),
    );
  });

  it('turns off the RunAsNode fuse and turns on asar integrity', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('ships the built bundles that package.json main points at', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.cjs');
    expect(config.files).toContain('dist/**');
  });
});
