import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { batchNameTemplateProblem, expandBatchName } from '../../../shared/domain/batch-name';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation } from '../../helpers/station';

/** The station's day as {date} writes it (the test does not run across midnight UTC). */
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');

describe('batch-name templates', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
  });
  afterEach(async () => dispose());

  it('proposes {collection}-{date}-{seq}, skipping names already taken', async () => {
    expect(station.settings.suggestBatchName({ collection: 'MS', operator: 'omar' }, () => false)).toBeNull();
    await station.settings.update({ batchNameTemplate: '{collection}-{date}-{seq}' });
    const taken = (id: string) => station.pipeline.store.summary(id) !== null;
    expect(station.settings.suggestBatchName({ collection: 'MS', operator: 'omar' }, taken)).toBe(
      `MS-${today()}-001`,
    );
    await station.pipeline.create(exampleManifest({ batch_id: `MS-${today()}-001` }), null);
    expect(station.settings.suggestBatchName({ collection: 'MS', operator: 'omar' }, taken)).toBe(
      `MS-${today()}-002`,
    );
    // Another collection starts its own count; spaces and odd characters cannot break the id.
    expect(station.settings.suggestBatchName({ collection: 'Parish reg/1', operator: 'omar' }, taken)).toBe(
      `Parish-reg1-${today()}-001`,
    );
  });

  it('refuses templates that could repeat a name or make an invalid id, in plain words', async () => {
    expect(batchNameTemplateProblem('{collection}-{date}')).toMatch(/Include \{seq\}/);
    expect(batchNameTemplateProblem('{shelf}-{seq}')).toMatch(/\{shelf\} is not a placeholder/);
    expect(batchNameTemplateProblem('a b {seq}')).toMatch(/not be valid batch ids/);
    expect(batchNameTemplateProblem('{station}_{seq}')).toBeNull();
    await expect(station.settings.update({ batchNameTemplate: '{date}' })).rejects.toThrow(/Include \{seq\}/);
    expect(
      expandBatchName('{operator}.{seq}', { collection: '', date: '', station: '', operator: 'omar' }, 7),
    ).toBe('omar.007');
  });

  it('keeps the new settings with safe defaults: training off, two hours of disk warning', async () => {
    const settings = station.settings.get();
    expect(settings.trainingMode).toBe(false);
    expect(settings.diskWarningHours).toBe(2);
    await station.settings.update({ catalogApiBase: 'http://cms.example.org/api' });
    expect(station.settings.get().catalogApiBase).toBe('http://cms.example.org/api');
    await expect(station.settings.update({ catalogApiBase: 'ftp://x' })).rejects.toThrow(
      /http:\/\/ or https:\/\//,
    );
  });
});
