/**
 * IIIF Presentation 3.0 manifest for a batch: one canvas per page pointing at its access
 * derivative, for public items only. A restricted, research-only or embargoed batch gets a
 * manifest with no items, so nothing is exposed by accident.
 */
export function iiifManifest(input: {
  baseUrl: string;
  batchId: string;
  title: string;
  rights: string;
  accessTier: string;
  embargoDate: string | null | undefined;
  today: string;
  pages: { page: number; width: number; height: number; accessHref: string }[];
}): Record<string, unknown> {
  const embargoed = Boolean(input.embargoDate && input.embargoDate > input.today);
  const exposed = input.accessTier === 'public' && !embargoed;
  const id = `${input.baseUrl}/${encodeURIComponent(input.batchId)}`;
  return {
    '@context': 'http://iiif.io/api/presentation/3/context.json',
    id: `${id}/manifest.json`,
    type: 'Manifest',
    label: { none: [input.title] },
    summary: {
      none: [
        exposed
          ? 'Digitized with Quire'
          : `Not publicly available (${embargoed ? `embargoed until ${input.embargoDate}` : input.accessTier})`,
      ],
    },
    ...(/^https?:\/\//.test(input.rights)
      ? { rights: input.rights }
      : { requiredStatement: { label: { none: ['Rights'] }, value: { none: [input.rights] } } }),
    items: exposed
      ? input.pages.map((p) => ({
          id: `${id}/canvas/${p.page}`,
          type: 'Canvas',
          label: { none: [`Page ${p.page}`] },
          width: p.width,
          height: p.height,
          items: [
            {
              id: `${id}/canvas/${p.page}/page`,
              type: 'AnnotationPage',
              items: [
                {
                  id: `${id}/canvas/${p.page}/image`,
                  type: 'Annotation',
                  motivation: 'painting',
                  target: `${id}/canvas/${p.page}`,
                  body: {
                    id: `${id}/${p.accessHref}`,
                    type: 'Image',
                    format: 'image/jpeg',
                    width: p.width,
                    height: p.height,
                  },
                },
              ],
            },
          ],
        }))
      : [],
  };
}
