import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceConfig, type DriverName } from '../../../shared/contract/index';
import { createDevice, parseDeviceUrl, UnknownDriverError } from '../../../electron/scanner/fleet';
import { FleetStore } from '../../../electron/scanner/fleet-store';
import { parseScanLinkAddress } from '../../../electron/scanner/scanlink/address';
import { openDatabase, type Db } from '../../../electron/storage/index';
import { makeTempDir } from '../../helpers/temp-dir';

const PROFILE = { dpi: 300, mode: 'gray', bitDepth: 8 } as const;

describe('scanner URLs', () => {
  it.each([
    ['10.0.0.7:9100', { driver: 'scanlink', address: '10.0.0.7:9100' }],
    ['scanlink://scanner.lab:9200', { driver: 'scanlink', address: 'scanner.lab:9200' }],
    ['http://10.0.0.7:80/eSCL', { driver: 'escl', address: 'http://10.0.0.7:80/eSCL' }],
    ['https://[fe80::1]:443/eSCL', { driver: 'escl', address: 'https://[fe80::1]:443/eSCL' }],
    ['sane:test', { driver: 'sane', address: 'test' }],
    ['sane:fujitsu:fi-7160:1234', { driver: 'sane', address: 'fujitsu:fi-7160:1234' }],
  ])('%s is read as its driver and address', (url, expected) => {
    expect(parseDeviceUrl(url)).toEqual(expected);
  });

  it.each(['', 'ftp://x', 'sane:', 'just-a-host', 'http://'])('"%s" is refused, naming the forms', (url) => {
    expect(() => parseDeviceUrl(url)).toThrow(/URL|SANE|not a valid/);
  });

  it('reads ScanLink addresses, with the default port and IPv6 brackets', () => {
    expect(parseScanLinkAddress('scan.lab')).toEqual({ host: 'scan.lab', port: 9100 });
    expect(parseScanLinkAddress('[::1]:9101')).toEqual({ host: '::1', port: 9101 });
    expect(parseScanLinkAddress('scanlink://10.1.2.3:9102')).toEqual({ host: '10.1.2.3', port: 9102 });
    expect(() => parseScanLinkAddress('10.1.2.3:99999')).toThrow(/not a ScanLink address/);
  });
});

describe('the fleet factory', () => {
  it('builds a ScanLink device that reports its driver and address', () => {
    const device = createDevice({ name: 's1', driver: 'scanlink', address: '127.0.0.1:9', profile: PROFILE });
    expect(device.status()).toMatchObject({
      name: 's1',
      driver: 'scanlink',
      address: '127.0.0.1:9',
      port: 9,
    });
    expect(device.capabilities()).toBeNull();
  });

  it('says plainly when this station has no driver of that name', () => {
    // A config stored by a newer Quire may name a driver this one lacks.
    const twain = { name: 'e1', driver: 'twain' as DriverName, address: 'x', profile: PROFILE };
    expect(() => createDevice(twain)).toThrow(UnknownDriverError);
    expect(() => createDevice(twain)).toThrow(/no "twain" driver \(available: scanlink, escl, sane\)/);
  });

  it('accepts the older host/port config and reads it as a ScanLink address', () => {
    expect(DeviceConfig.parse({ name: 'a', host: '10.0.0.9', port: 9100, profile: PROFILE })).toEqual({
      name: 'a',
      driver: 'scanlink',
      address: '10.0.0.9:9100',
      profile: PROFILE,
    });
    expect(
      DeviceConfig.safeParse({ name: 'a', driver: 'twain', address: 'x', profile: PROFILE }).success,
    ).toBe(false);
  });
});

describe('the fleet table', () => {
  let db: Db | null = null;
  let dir: ReturnType<typeof makeTempDir>;
  afterEach(() => {
    db?.close();
    dir?.cleanup();
  });

  it('migrates stored host/port rows to ScanLink addresses, keeping everything else', () => {
    dir = makeTempDir();
    db = openDatabase(path.join(dir.path, 'quire.db'));
    db.exec(`CREATE TABLE schema_version (module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
      applied_at TEXT NOT NULL, PRIMARY KEY (module, version))`);
    db.exec(
      `CREATE TABLE fleet_devices (name TEXT PRIMARY KEY, config_json TEXT NOT NULL, updated_at TEXT NOT NULL)`,
    );
    db.prepare("INSERT INTO schema_version VALUES ('devices', 1, 'fleet', 'then')").run();
    const insert = db.prepare('INSERT INTO fleet_devices VALUES (?, ?, ?)');
    insert.run(
      'old',
      JSON.stringify({ name: 'old', host: '10.0.0.5', port: 9100, profile: PROFILE }),
      'then',
    );
    insert.run('v6', JSON.stringify({ name: 'v6', host: 'fe80::2', port: 9101, profile: PROFILE }), 'then');
    const store = new FleetStore(db);
    expect(store.all()).toEqual([
      { name: 'old', driver: 'scanlink', address: '10.0.0.5:9100', profile: PROFILE },
      { name: 'v6', driver: 'scanlink', address: '[fe80::2]:9101', profile: PROFILE },
    ]);
    const raw = db.prepare("SELECT config_json FROM fleet_devices WHERE name = 'old'").get() as {
      config_json: string;
    };
    expect(JSON.parse(raw.config_json)).not.toHaveProperty('host');
  });
});

describe('a ScanLink device asked for what it cannot do', () => {
  it('refuses a flatbed job at once, without touching the scanner', async () => {
    const device = createDevice({ name: 's2', driver: 'scanlink', address: '127.0.0.1:9', profile: PROFILE });
    const result = await device.capture({
      jobId: 'J',
      pages: 1,
      dpi: 300,
      mode: 'gray',
      bitDepth: 8,
      source: 'flatbed',
      mastersDir: '/nonexistent/never-written',
    });
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'UNSUPPORTED_SOURCE', transient: false },
    });
  });
});
