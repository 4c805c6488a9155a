import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../helpers/temp-dir';
import { expectMastersMatchSent, rig, type Rig } from './escl-harness';

/** HTTPS with a scanner's self-signed certificate: only once an operator pinned its fingerprint. */
describe('eSCL over HTTPS with a self-signed certificate', () => {
  const dir = makeTempDir('quire-escl-tls-');
  let tls: { key: Buffer; cert: Buffer };
  let fingerprint: string;
  let r: Rig;

  beforeAll(() => {
    const key = path.join(dir.path, 'key.pem');
    const cert = path.join(dir.path, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=scanner.local',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    tls = { key: readFileSync(key), cert: readFileSync(cert) };
    fingerprint = new X509Certificate(tls.cert).fingerprint256;
  });
  afterEach(async () => r?.close());
  afterAll(() => dir.cleanup());

  it('refuses an unpinned certificate, with the fingerprint to pin in the message', async () => {
    r = await rig({ sheets: 2, tls });
    const result = await r.device.capture(r.request());
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'CERTIFICATE_NOT_TRUSTED', transient: false },
    });
    expect(result.error?.message).toContain(fingerprint);
    expect(result.error?.message).toMatch(/pin/);
    expect(r.sim.sent).toHaveLength(0);
  });

  it('refuses a certificate whose fingerprint is not the pinned one', async () => {
    r = await rig({ sheets: 2, tls }, {}, undefined, 'AA:'.repeat(31) + 'AA');
    const result = await r.device.capture(r.request());
    expect(result).toMatchObject({ status: 'failed', error: { code: 'CERTIFICATE_NOT_TRUSTED' } });
    expect(result.error?.message).toMatch(/does not match the pinned fingerprint/);
  });

  it('scans from a scanner whose certificate is pinned', async () => {
    r = await rig({ sheets: 3, tls }, {}, undefined, fingerprint.toLowerCase());
    const result = await r.device.capture(r.request());
    expect(result.error).toBeNull();
    expect(result.status).toBe('complete');
    expectMastersMatchSent(r);
  });
});
