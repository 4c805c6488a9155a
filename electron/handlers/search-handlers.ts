import type { searchCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function searchHandlers(station: Station): Pick<HandlerTable, keyof typeof searchCommands> {
  const { pipeline } = station;
  return {
    'search.fulltext': ({ query, limit }) => ({ hits: pipeline.search.search(query, limit) }),
    'search.page': async ({ batchId, page, query }) => ({
      dataUrl: await pipeline.thumbnail(batchId, page, 'access'),
      ...(await pipeline.search.pageMatches(batchId, page, query)),
    }),
  };
}
