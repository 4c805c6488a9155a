import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { makeTestStation } from '../../helpers/station';
import { validateXml, withoutXmllint } from '../../helpers/xmllint';

describe('hash-chained PREMIS audit log', () => {
  let station: Station;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
    station.audit.record({
      type: 'capture',
      outcome: 'success',
      detail: 'page 1 captured on sim-1',
      object: 'B1/masters/page-0001.tif',
      person: 'omar',
    });
    station.audit.record({
      type: 'message digest calculation',
      outcome: 'success',
      detail: 'sha256 abc',
      object: 'B1/masters/page-0001.tif',
      person: 'system',
    });
    station.audit.record({
      type: 'quarantine',
      outcome: 'quarantined',
      detail: 'checksum mismatch <page 2> & "quotes"',
      object: 'B1',
      person: 'system',
    });
  });
  afterEach(async () => dispose());

  it('chains every event to the one before and verifies', () => {
    const events = station.audit.list({}).items.reverse();
    expect(events[0]!.prevHash).toBe('0'.repeat(64));
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    expect(events[2]!.agents).toMatchObject({ software: expect.stringMatching(/^Quire /), person: 'system' });
    expect(station.audit.verify()).toEqual({ ok: true, checked: 3, firstBrokenSeq: null, reason: null });
  });

  it('refuses edits and deletions in the database itself', () => {
    expect(() => station.db.prepare("UPDATE audit_events SET outcome = 'fine' WHERE seq = 3").run()).toThrow(
      /append-only/,
    );
    expect(() => station.db.prepare('DELETE FROM audit_events WHERE seq = 3').run()).toThrow(/append-only/);
  });

  it('detects an edited row even when the triggers were dropped', () => {
    station.db.exec('DROP TRIGGER audit_events_no_update');
    station.db.prepare("UPDATE audit_events SET outcome = 'success' WHERE seq = 3").run();
    expect(station.audit.verify()).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      reason: expect.stringMatching(/changed/),
    });
  });

  it('detects a deleted row in the middle and a truncated tail', () => {
    station.db.exec('DROP TRIGGER audit_events_no_delete');
    station.db.prepare('DELETE FROM audit_events WHERE seq = 3').run();
    expect(station.audit.verify()).toMatchObject({ ok: false, reason: expect.stringMatching(/truncated/) });
    station.db.prepare('DELETE FROM audit_events WHERE seq = 1').run();
    expect(station.audit.verify()).toMatchObject({
      ok: false,
      firstBrokenSeq: 1,
      reason: expect.stringMatching(/missing/),
    });
  });

  it.skipIf(withoutXmllint())('exports PREMIS 3 XML that validates against the official schema', () => {
    const xml = station.audit.premisXml('B1');
    expect(xml).toContain('checksum mismatch &lt;page 2&gt; &amp; "quotes"');
    const result = validateXml(xml, 'premis/premis-v3-0.xsd');
    expect(result.output).toContain('validates');
    expect(result.valid).toBe(true);
  });
});
