import { describe, expect, it } from 'vitest';
import type { StoredAsset } from '../../../shared/contract/index';
import {
  lidoObjectFromCatalog,
  lidoProblems,
  type LidoObject,
} from '../../../electron/catalog/lido/lido-object';
import { buildLidoWrap } from '../../../electron/catalog/lido/lido-xml';
import { validateLido } from '../../helpers/lido';
import { requireXmllint } from '../../helpers/xmllint';
import { catalogRecord } from '../../helpers/catalog-record';

const museum = { source: 'Stadtmuseum', repository: 'Stadtmuseum', today: '2026-12-01' };

const asset = (over: Partial<StoredAsset> = {}): StoredAsset =>
  catalogRecord('OBJ-000001', { title: 'Letter to the council', ...over });

const full: LidoObject = {
  recordId: 'Stadtmuseum:1887.42',
  source: 'Stadtmuseum',
  workType: 'letter',
  title: 'Letter to the council',
  inscriptions: ['Stamped "Eingang 3. März 1887" upper right'],
  creator: 'Anna Weber',
  date: '1887-03-02',
  repository: 'Stadtmuseum',
  accessionNumber: '1887.42',
  rightsStatement: 'http://rightsstatements.org/vocab/InC/1.0/',
  creditLine: 'Gift of the Weber family, 1952',
  resources: [
    { link: 'access/page-0001.jpg', mimeType: 'image/jpeg', type: 'image', representation: 'image_master' },
  ],
};

describe('LIDO records', () => {
  it('carries every field a museum catalogues, valid against LIDO 1.1', ({ skip }) => {
    const xml = buildLidoWrap([full]);
    expect(xml).toContain('<lido:lidoRecID lido:type="local" lido:source="Stadtmuseum">Stadtmuseum:1887.42<');
    expect(xml).toContain('<lido:term>letter</lido:term>');
    expect(xml).toContain('<lido:inscriptionTranscription>Stamped');
    expect(xml).toContain('<lido:workID lido:type="inventory number">1887.42</lido:workID>');
    expect(xml).toContain('<lido:appellationValue>Anna Weber</lido:appellationValue>');
    expect(xml).toContain('<lido:displayDate>1887-03-02</lido:displayDate>');
    expect(xml).toContain(
      '<lido:conceptID lido:type="URI">http://rightsstatements.org/vocab/InC/1.0/</lido:conceptID>',
    );
    expect(xml).toContain('<lido:creditLine>Gift of the Weber family, 1952</lido:creditLine>');
    expect(xml).toContain('>access/page-0001.jpg</lido:linkResource>');
    requireXmllint(skip);
    const verdict = validateLido(xml);
    expect(verdict.valid, verdict.output).toBe(true);
  });

  it('keeps non-Latin titles and inscriptions exactly, and they validate', ({ skip }) => {
    const titles = [
      'Письмо городскому совету',
      '東京帝室博物館 所蔵品目録',
      'رسالة إلى المجلس البلدي',
      'Επιστολή προς το δημοτικό συμβούλιο',
      'מכתב למועצת העיר',
      'Brief mit Siegel 𝔄𝔅 & <Umschlag> "1887"',
    ];
    const objects = titles.map((title, i) => ({
      ...full,
      recordId: `Stadtmuseum:${i}`,
      accessionNumber: String(i),
      title,
      inscriptions: [title],
    }));
    for (const o of objects) expect(lidoProblems(o)).toEqual([]);
    const xml = buildLidoWrap(objects);
    for (const title of titles.slice(0, 5)) expect(xml).toContain(`<lido:appellationValue>${title}<`);
    expect(xml).toContain('Brief mit Siegel 𝔄𝔅 &amp; &lt;Umschlag&gt; "1887"');
    requireXmllint(skip);
    const verdict = validateLido(xml);
    expect(verdict.valid, verdict.output).toBe(true);
  });

  it('validates at the field limits of the catalog and the manifest', ({ skip }) => {
    const at = (n: number, unit = 'ä') => unit.repeat(n);
    const record = lidoObjectFromCatalog(
      asset({
        accession_number: 'A'.repeat(64),
        title: at(1000),
        rights_statement: at(500, 'r'),
        media_url: `https://media.example.org/${'x'.repeat(1900)}.tif`,
      }),
      museum,
    );
    const limits: LidoObject = {
      ...full,
      title: at(500),
      creator: at(300),
      date: at(64, '9'),
      workType: at(200),
      creditLine: at(500),
      inscriptions: Array.from({ length: 50 }, (_, i) => `${i} ${at(1990)}`),
    };
    const xml = buildLidoWrap([record, limits]);
    expect(xml).toContain(at(1000));
    requireXmllint(skip);
    const verdict = validateLido(xml);
    expect(verdict.valid, verdict.output).toBe(true);
  });

  it('links no images of a restricted or embargoed record, as for IIIF', () => {
    expect(lidoObjectFromCatalog(asset(), museum).resources).toHaveLength(1);
    expect(lidoObjectFromCatalog(asset({ access_tier: 'restricted' }), museum).resources).toEqual([]);
    expect(lidoObjectFromCatalog(asset({ embargo_date: '2027-01-01' }), museum).resources).toEqual([]);
    expect(lidoObjectFromCatalog(asset({ embargo_date: '2026-12-01' }), museum).resources).toHaveLength(1);
    const xml = buildLidoWrap([lidoObjectFromCatalog(asset({ access_tier: 'restricted' }), museum)]);
    expect(xml).not.toContain('resourceWrap');
    expect(xml).not.toContain('media.example.org');
  });

  it('names what a record lacks or holds that XML cannot carry, instead of writing it broken', () => {
    expect(lidoProblems({ ...full, title: 'Bad\u0001title' })).toEqual([
      'title holds a character XML cannot carry',
    ]);
    expect(lidoProblems({ ...full, creator: 'x\uFFFE' })).toEqual([
      'creator holds a character XML cannot carry',
    ]);
    expect(lidoProblems({ ...full, inscriptions: ['ok', 'half \uD800 pair'] })).toEqual([
      'inscription 2 holds a character XML cannot carry',
    ]);
    expect(lidoProblems({ ...full, title: '  ' })).toEqual(['title is empty']);
    expect(lidoProblems(full)).toEqual([]);
  });
});
