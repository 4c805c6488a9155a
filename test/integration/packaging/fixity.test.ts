import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkFixity } from '../../../electron/pipeline/packaging/fixity';
import { writePackage } from '../../../electron/pipeline/packaging/package';
import type { Station } from '../../../electron/station';
import { makeTestStation } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';
import { runAuditCli } from '../audit/fixtures/run-audit-cli';
import { stageBatch } from './fixtures/staged-batch';

describe('fixity of a stored package', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let bag: string;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
    bag = (
      await writePackage(await stageBatch(station.layout.root, 'FX-1'), {
        packagesDir: station.layout.packages,
      })
    ).path;
  });
  afterEach(async () => dispose());

  it('records a successful fixity check for an untouched package', async () => {
    const report = await checkFixity(bag, { record: (e) => station.audit.record(e), person: 'sofia' });
    expect(report).toMatchObject({ valid: true, object: 'FX-1', changed: [], missing: [], extra: [] });
    expect(report.checked).toBeGreaterThan(8);
    expect(station.audit.forObject('FX-1').at(-1)).toMatchObject({
      id: report.eventId,
      type: 'fixity check',
      outcome: 'success',
      agents: { person: 'sofia' },
    });
  });

  it('names a file with one changed byte, a missing file and an extra file, and records the failure', async () => {
    const master = path.join(bag, 'data/masters/page-0002.tif');
    const bytes = readFileSync(master);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    writeFileSync(master, bytes);
    rmSync(path.join(bag, 'data/thumbnails/page-0001.jpg'));
    writeFileSync(path.join(bag, 'data/notes.txt'), 'added later');
    const report = await checkFixity(bag, { record: (e) => station.audit.record(e) });
    expect(report.valid).toBe(false);
    expect(report.changed).toEqual([
      expect.objectContaining({ file: 'data/masters/page-0002.tif', algorithm: 'sha256' }),
    ]);
    expect(report.missing).toEqual(['data/thumbnails/page-0001.jpg']);
    expect(report.extra).toEqual(['data/notes.txt']);
    const event = station.audit.forObject('FX-1').at(-1)!;
    expect(event).toMatchObject({ type: 'fixity check', outcome: 'failure', agents: { person: 'system' } });
    expect(event.detail).toContain('changed: data/masters/page-0002.tif');
    expect(event.detail).toContain('missing: data/thumbnails/page-0001.jpg');
    expect(event.detail).toContain('not in the manifest: data/notes.txt');
  });

  it('quire fixity and quire bag verify report by name and exit 1 on a changed package', async () => {
    const data = station.layout.root;
    await station.close();
    const good = await runAuditCli(['bag', 'verify', bag]);
    expect(good.code).toBe(0);
    expect(good.json).toEqual({ valid: true, errors: [], warnings: [] });
    appendFileSync(path.join(bag, 'data/access/page-0001.jpg'), 'x');
    const bad = await runAuditCli(['bag', 'verify', bag]);
    expect(bad.code).toBe(1);
    expect(JSON.stringify(bad.json)).toContain('data/access/page-0001.jpg');
    const fixity = await runAuditCli(['fixity', bag, '--data', data]);
    expect(fixity.code).toBe(1);
    expect(fixity.json).toMatchObject({
      valid: false,
      object: 'FX-1',
      changed: [{ file: 'data/access/page-0001.jpg' }],
      auditEvent: expect.any(String),
    });
    const missing = await runAuditCli(['bag', 'verify', path.join(data, 'nowhere')]);
    expect(missing.code).toBe(2);
  });

  it('quire fixity without a station folder checks but records nothing', async () => {
    const empty = makeTempDir('quire-nostation-');
    try {
      const run = await runAuditCli(['fixity', bag], { QUIRE_DATA_DIR: empty.path });
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({ valid: true, auditEvent: null });
    } finally {
      empty.cleanup();
    }
  });
});
