import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Bonjour } from 'bonjour-service';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discoverScanners, discoverScannersShared } from '../../../electron/scanner/discovery/discover';
import { mergeAnnouncements, type Announcement } from '../../../electron/scanner/discovery/dns-sd';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeSaneTestEnv, saneSkipReason } from '../sane/sane-test-env';

/** Whether this machine lets a process join the mDNS multicast group at all. */
async function multicastSkipReason(): Promise<string | null> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(5353, () => resolve());
    });
    socket.addMembership('224.0.0.251');
    return null;
  } catch (error) {
    return `multicast (mDNS on 224.0.0.251:5353) is not usable here: ${(error as Error).message}`;
  } finally {
    socket.close();
  }
}

const saneSkip = saneSkipReason();
if (saneSkip) console.log(`SANE discovery tests skipped: ${saneSkip}`);

describe('merging DNS-SD announcements', () => {
  const announcement = (over: Partial<Announcement>): Announcement => ({
    scheme: 'http',
    name: 'Lab MFP',
    host: 'lab-mfp.local',
    port: 8080,
    addresses: ['10.0.0.7'],
    txt: {
      rs: 'eSCL',
      uuid: '4509a320-00a0-008f-00b6-002507510eca',
      ty: 'Lab MFP 3000',
      cs: 'color,grayscale,binary',
      is: 'platen,adf',
      duplex: 'T',
    },
    ...over,
  });

  it('one entry per uuid, over both services and every interface; plain HTTP and IPv4 first', () => {
    const merged = mergeAnnouncements([
      announcement({ scheme: 'https', port: 443, addresses: ['10.0.0.7', 'fe80::1'] }),
      announcement({ addresses: ['fd00::7', '10.0.0.7'] }),
      announcement({
        addresses: ['192.168.5.7'],
        txt: { ...announcement({}).txt, uuid: 'urn:uuid:4509A320-00A0-008F-00B6-002507510ECA' },
      }),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      id: 'uuid:4509a320-00a0-008f-00b6-002507510eca',
      driver: 'escl',
      name: 'Lab MFP 3000',
      url: 'http://10.0.0.7:8080/eSCL',
      address: 'http://10.0.0.7:8080/eSCL',
      sources: ['flatbed', 'feeder', 'duplex'],
      modes: ['color', 'gray', 'bw'],
    });
    expect(merged[0]!.urls).toEqual([
      'http://10.0.0.7:8080/eSCL',
      'http://[fd00::7]:8080/eSCL',
      'http://lab-mfp.local:8080/eSCL',
      'http://192.168.5.7:8080/eSCL',
      'https://10.0.0.7:443/eSCL',
      'https://lab-mfp.local:443/eSCL',
    ]);
  });

  it('reads the root path however `rs` is written, and keeps devices without uuid apart by name', () => {
    const merged = mergeAnnouncements([
      announcement({ name: 'A', txt: { rs: '/eSCL/' } }),
      announcement({ name: 'B', host: 'b.local', txt: { rs: '' } }),
    ]);
    expect(merged.map((m) => m.url)).toEqual(['http://10.0.0.7:8080/eSCL', 'http://10.0.0.7:8080']);
    expect(merged.map((m) => m.uuid)).toEqual([null, null]);
  });
});

describe('discovering over DNS-SD', () => {
  let skip: string | null = null;
  let publisher: Bonjour;
  beforeAll(async () => {
    skip = await multicastSkipReason();
    if (skip) console.log(`DNS-SD discovery test skipped: ${skip}`);
    publisher = new Bonjour();
  });
  afterAll(
    () => new Promise<void>((resolve) => publisher.unpublishAll(() => (publisher.destroy(), resolve()))),
  );

  it('finds a scanner announced over _uscan and _uscans as one device', async (ctx) => {
    if (skip) ctx.skip();
    const uuid = randomUUID();
    const txt = { rs: 'eSCL', uuid, ty: 'Quire Test Scanner', cs: 'color,grayscale', is: 'adf', duplex: 'F' };
    publisher.publish({ name: `quire-test-${uuid.slice(0, 8)}`, type: 'uscan', port: 18080, txt });
    publisher.publish({ name: `quire-test-${uuid.slice(0, 8)}`, type: 'uscans', port: 18443, txt });
    const result = await discoverScanners({ seconds: 2, attached: false });
    const found = result.scanners.filter((s) => s.uuid === uuid);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      driver: 'escl',
      name: 'Quire Test Scanner',
      sources: ['feeder'],
      modes: ['color', 'gray'],
    });
    expect(found[0]!.url).toMatch(/^http:\/\/.+:18080\/eSCL$/);
    expect(found[0]!.urls.some((u) => /^https:\/\/.+:18443\/eSCL$/.test(u))).toBe(true);
  });
});

describe.skipIf(saneSkip !== null)('discovering SANE scanners', () => {
  let dir: ReturnType<typeof makeTempDir>;
  afterEach(() => dir.cleanup());

  it('lists the test backend as sane:NAME, and a missing scanimage is a problem, not a failure', async () => {
    dir = makeTempDir('quire-discover-');
    const { env } = makeSaneTestEnv(dir.path);
    const result = await discoverScanners({ network: false, scanimage: { env } });
    expect(result.problems).toEqual([]);
    expect(result.scanners).toEqual([
      expect.objectContaining({
        id: 'sane:test:0',
        driver: 'sane',
        address: 'test:0',
        url: 'sane:test:0',
        name: 'Noname frontend-tester',
      }),
    ]);
    const missing = await discoverScanners({
      network: false,
      scanimage: { command: '/nonexistent/scanimage' },
    });
    expect(missing.scanners).toEqual([]);
    expect(missing.problems).toEqual([expect.stringMatching(/scanimage was not found.*sane-utils/)]);
  });

  it('consoles asking at the same time share one search', async () => {
    dir = makeTempDir('quire-discover-');
    const previous = process.env.SANE_CONFIG_DIR;
    process.env.SANE_CONFIG_DIR = makeSaneTestEnv(dir.path).configDir;
    try {
      const first = discoverScannersShared(0.5);
      expect(discoverScannersShared(0.5)).toBe(first);
      expect((await first).scanners).toContainEqual(expect.objectContaining({ url: 'sane:test:0' }));
      const next = discoverScannersShared(0.5);
      expect(next).not.toBe(first);
      await next;
    } finally {
      if (previous === undefined) delete process.env.SANE_CONFIG_DIR;
      else process.env.SANE_CONFIG_DIR = previous;
    }
  });

  it('quire discover prints one JSON line', async () => {
    dir = makeTempDir('quire-discover-');
    const { env } = makeSaneTestEnv(dir.path);
    const run = await runCli(['discover', '--seconds', '1'], { SANE_CONFIG_DIR: env.SANE_CONFIG_DIR }).done;
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.json).toMatchObject({
      seconds: 1,
      scanners: expect.arrayContaining([expect.objectContaining({ url: 'sane:test:0' })]),
    });
  });
});
