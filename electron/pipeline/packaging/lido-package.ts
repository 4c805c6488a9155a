import type { LidoObject, LidoResource } from '../../catalog/lido/lido-object';
import type { PackagePage } from './mets';

/**
 * The batch's LIDO objects with resource sets for the package's access copies, linked relative
 * to the document that carries them (`prefix`: '' for mets.xml at the top of data/, '../' for
 * metadata/lido.xml). A batch that is not public today links nothing, as for IIIF. Which page
 * shows which object is not recorded, so every object of a batch links all its pages.
 */
export function lidoWithResources(
  objects: readonly LidoObject[],
  pages: readonly PackagePage[],
  options: { publiclyAvailable: boolean; prefix: string },
): LidoObject[] {
  const resources: LidoResource[] = options.publiclyAvailable
    ? pages.flatMap((p) =>
        p.access
          ? [
              {
                link: `${options.prefix}${p.access.href}`,
                mimeType: p.access.mimeType,
                type: 'image',
                representation: 'image_master',
                label: `Page ${p.page}`,
              },
            ]
          : [],
      )
    : [];
  return objects.map((o) => ({ ...o, resources }));
}
