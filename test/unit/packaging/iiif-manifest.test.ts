import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIiifManifest, type IiifInput } from '../../../electron/pipeline/packaging/iiif';
import { STANDARDS } from '../../helpers/xmllint';

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

/** ajv is not a declared dependency (it comes with the lint tooling); skip with a reason if absent. */
function loadIiifValidator(): { validate: Validate | null; reason: string } {
  try {
    const req = createRequire(import.meta.url);
    const mod = req('ajv') as { default?: new (o: object) => { compile(s: object): Validate } };
    const Ajv = (mod.default ?? mod) as new (o: object) => { compile(s: object): Validate };
    const schema = JSON.parse(readFileSync(path.join(STANDARDS, 'iiif', 'iiif_3_0.json'), 'utf8')) as object;
    return {
      validate: new Ajv({ strict: false, validateFormats: false, logger: false }).compile(schema),
      reason: '',
    };
  } catch (error) {
    return { validate: null, reason: `no JSON-schema validator or IIIF schema: ${(error as Error).message}` };
  }
}
const { validate, reason } = loadIiifValidator();
if (!validate) console.warn(`skipping IIIF schema validation: ${reason}`);

const input = (over: Partial<IiifInput['descriptive']> = {}): IiifInput => ({
  baseUrl: 'https://iiif.example.org/quire/',
  batchId: 'MS-1887-042',
  today: '2025-03-01',
  descriptive: {
    title: 'Letters, 1887',
    creator: 'A. Writer',
    date: '1887',
    rightsStatement: 'http://rightsstatements.org/vocab/NoC-US/1.0/',
    accessTier: 'public',
    embargoDate: null,
    accessionNumbers: ['1999.12.3'],
    ...over,
  },
  pages: [2, 1, 3].map((page) => ({
    page,
    width: 3400,
    height: 4400,
    accessHref: `access/page-000${page}.jpg`,
    accessWidth: 1700,
    accessHeight: 2200,
    thumbnailHref: page === 3 ? null : `thumbnails/page-000${page}.jpg`,
  })),
});

describe('IIIF Presentation 3.0 manifest', () => {
  it('lists the access copies of a public batch in page order', () => {
    const manifest = buildIiifManifest(input()) as {
      id: string;
      rights: string;
      items: { id: string; items: { items: { body: { id: string; width: number } }[] }[] }[];
    };
    expect(manifest.id).toBe('https://iiif.example.org/quire/MS-1887-042/manifest.json');
    expect(manifest.rights).toBe('http://rightsstatements.org/vocab/NoC-US/1.0/');
    expect(manifest.items.map((c) => c.items[0]!.items[0]!.body.id)).toEqual(
      [1, 2, 3].map((p) => `https://iiif.example.org/quire/MS-1887-042/access/page-000${p}.jpg`),
    );
    expect(manifest.items[0]!.items[0]!.items[0]!.body.width).toBe(1700);
  });

  it('gives restricted, research-only and embargoed batches no manifest at all', () => {
    expect(buildIiifManifest(input({ accessTier: 'restricted' }))).toBeNull();
    expect(buildIiifManifest(input({ accessTier: 'research' }))).toBeNull();
    expect(buildIiifManifest(input({ embargoDate: '2025-03-02' }))).toBeNull();
    expect(buildIiifManifest(input({ embargoDate: '2025-03-01' }))).not.toBeNull();
  });

  it('puts a free-text rights statement in requiredStatement, not rights', () => {
    const manifest = buildIiifManifest(input({ rightsStatement: 'Copyright the lender; ask first.' }))!;
    expect(manifest.rights).toBeUndefined();
    expect(manifest.requiredStatement).toEqual({
      label: { en: ['Rights'] },
      value: { none: ['Copyright the lender; ask first.'] },
    });
  });

  it.skipIf(!validate)(
    'validates against the official IIIF 3.0 JSON schema, which rejects a broken fixture',
    () => {
      for (const over of [
        {},
        { rightsStatement: 'free text', creator: undefined, date: undefined, accessionNumbers: [] },
      ]) {
        const manifest = buildIiifManifest(input(over));
        expect(validate!(manifest), JSON.stringify(validate!.errors)).toBe(true);
      }
      const broken = JSON.parse(
        readFileSync(path.join(STANDARDS, 'iiif/fixtures/3/broken_simple_image.json'), 'utf8'),
      );
      expect(validate!(broken)).toBe(false);
    },
  );
});
