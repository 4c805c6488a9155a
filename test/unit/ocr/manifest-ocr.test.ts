import { describe, expect, it } from 'vitest';
import { ocrLanguagesOf } from '../../../electron/pipeline/ocr-stage';
import { BatchManifest } from '../../../shared/domain/manifest';
import { exampleManifest } from '../../helpers/manifest';

describe('the manifest’s optional OCR field', () => {
  it('is optional: a manifest without it is valid and has no OCR', () => {
    const manifest = BatchManifest.parse(exampleManifest());
    expect(manifest.ocr).toBeUndefined();
    expect(ocrLanguagesOf(manifest)).toBeNull();
  });

  it('takes OCR on with the shipped languages', () => {
    const manifest = BatchManifest.parse(
      exampleManifest({ ocr: { enabled: true, languages: ['fra', 'eng'] } }),
    );
    expect(ocrLanguagesOf(manifest)).toEqual(['fra', 'eng']);
    expect(
      ocrLanguagesOf(BatchManifest.parse(exampleManifest({ ocr: { enabled: false, languages: ['eng'] } }))),
    ).toBeNull();
  });

  it('names what is wrong: an unknown language, no language, an unknown field', () => {
    const issues = (ocr: unknown) =>
      BatchManifest.safeParse(exampleManifest({ ocr })).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ enabled: true, languages: ['deu'] })).toEqual(['ocr.languages.0']);
    expect(issues({ enabled: true, languages: [] })).toEqual(['ocr.languages']);
    expect(issues({ enabled: true, languages: ['eng'], engine: 'x' })).toEqual(['ocr']);
  });
});
