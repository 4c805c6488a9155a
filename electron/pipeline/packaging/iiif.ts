import { isPubliclyAvailable, type DescriptiveMetadata } from './package-input';

export interface IiifPage {
  page: number;
  /** The canvas: the master's pixel size. */
  width: number;
  height: number;
  /** The access derivative, relative to the base URL (as in the bag: `access/page-0001.jpg`). */
  accessHref: string;
  accessWidth?: number;
  accessHeight?: number;
  thumbnailHref?: string | null;
}

export interface IiifInput {
  baseUrl: string;
  batchId: string;
  descriptive: DescriptiveMetadata;
  pages: IiifPage[];
  /** YYYY-MM-DD: an embargo ending after this day still applies. */
  today: string;
}

/** IIIF `rights` admits only Creative Commons and RightsStatements.org URIs. */
const RIGHTS_URI =
  /^https?:\/\/(creativecommons\.org\/(licenses|publicdomain)\/|rightsstatements\.org\/vocab\/)/;

/**
 * IIIF Presentation 3.0 manifest for a batch: one canvas per page, in page order, painted with
 * its access derivative. Only a public batch whose embargo is over gets one: a restricted,
 * research-only or embargoed batch gets null, so nothing of it is exposed (a manifest must have
 * at least one canvas, so an empty one is not an option).
 */
export function buildIiifManifest(input: IiifInput): Record<string, unknown> | null {
  const pages = input.pages.filter((p) => p.accessHref).sort((a, b) => a.page - b.page);
  if (!isPubliclyAvailable(input.descriptive, input.today) || pages.length === 0) return null;
  const base = input.baseUrl.replace(/\/+$/, '');
  const id = `${base}/${encodeURIComponent(input.batchId)}`;
  const file = (href: string) => `${id}/${href.split('/').map(encodeURIComponent).join('/')}`;
  const d = input.descriptive;
  const metadata = [
    ...(d.creator ? [{ label: { en: ['Creator'] }, value: { none: [d.creator] } }] : []),
    ...(d.date ? [{ label: { en: ['Date'] }, value: { none: [d.date] } }] : []),
    ...(d.accessionNumbers.length
      ? [{ label: { en: ['Accession number'] }, value: { none: d.accessionNumbers } }]
      : []),
  ];
  return {
    '@context': 'http://iiif.io/api/presentation/3/context.json',
    id: `${id}/manifest.json`,
    type: 'Manifest',
    label: { none: [d.title] },
    ...(metadata.length ? { metadata } : {}),
    ...(RIGHTS_URI.test(d.rightsStatement)
      ? { rights: d.rightsStatement }
      : { requiredStatement: { label: { en: ['Rights'] }, value: { none: [d.rightsStatement] } } }),
    behavior: ['paged'],
    items: pages.map((p) => {
      const canvas = `${id}/canvas/p${p.page}`;
      return {
        id: canvas,
        type: 'Canvas',
        label: { none: [`Page ${p.page}`] },
        width: p.width,
        height: p.height,
        ...(p.thumbnailHref
          ? { thumbnail: [{ id: file(p.thumbnailHref), type: 'Image', format: 'image/jpeg' }] }
          : {}),
        items: [
          {
            id: `${canvas}/page`,
            type: 'AnnotationPage',
            items: [
              {
                id: `${canvas}/page/image`,
                type: 'Annotation',
                motivation: 'painting',
                target: canvas,
                body: {
                  id: file(p.accessHref),
                  type: 'Image',
                  format: 'image/jpeg',
                  ...(p.accessWidth && p.accessHeight
                    ? { width: p.accessWidth, height: p.accessHeight }
                    : {}),
                },
              },
            ],
          },
        ],
      };
    }),
  };
}
