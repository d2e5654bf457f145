import { BY_ID_ASCENDING, CRM_SEARCH_PAGE_MAX, idsAbove, readSearchResults, searchPageLimit } from '@app/common';
import { DEAL_REVIEW_PROPERTIES, type DealRecord } from './deal-facts';


/** What the review lists: the portal's open deals, optionally of some pipelines only. */
export interface OpenDealsQuery {
  /** Only these pipelines (ids); undefined or empty: every pipeline. */
  pipelines?: readonly string[];
}

/**
 * One page of a portal's open deals as a HubSpot CRM search body, paged by id like the
 * backfill's listing (BY_ID_ASCENDING, idsAbove: never `after`, so no query meets the
 * 10,000-result cap, and a deal edited while the review pages is neither lost nor
 * listed twice; sorting by a date would move it). `hs_is_closed` is HubSpot's own flag
 * from the stage's closed won / lost metadata. Pure.
 */
export function openDealsSearchBody(query: OpenDealsQuery, cursor: string | null, pageSize = CRM_SEARCH_PAGE_MAX): Record<string, unknown> {
  const filters: Array<Record<string, unknown>> = [{ propertyName: 'hs_is_closed', operator: 'EQ', value: 'false' }];
  if (query.pipelines && query.pipelines.length > 0) filters.push({ propertyName: 'pipeline', operator: 'IN', values: [...query.pipelines] });
  if (cursor !== null) filters.push(idsAbove(cursor));
  return {
    filterGroups: [{ filters }],
    sorts: [...BY_ID_ASCENDING],
    properties: [...DEAL_REVIEW_PROPERTIES],
    limit: searchPageLimit(pageSize),
  };
}

export interface DealPage {
  deals: DealRecord[];
  total: number;
  more: boolean;
}

/** The deals of a search answer, in the order given; undefined for an answer of another shape. */
export function readDealPage(body: unknown): DealPage | undefined {
  const page = readSearchResults(body);
  return page && { deals: page.results, total: page.total, more: page.more };
}
