import { isPlainObject } from '@app/common';
import { DEAL_REVIEW_PROPERTIES, type DealRecord } from './deal-facts';

/** HubSpot's most records per search page (developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm). */
export const DEAL_PAGE_SIZE = 200;

/** What the review lists: the portal's open deals, optionally of some pipelines only. */
export interface OpenDealsQuery {
  /** Only these pipelines (ids); undefined or empty: every pipeline. */
  pipelines?: readonly string[];
}

/**
 * One page of a portal's open deals as a HubSpot CRM search body. HubSpot answers at
 * most 10,000 results per query (an `after` beyond that is a 400), so, like the
 * backfill's listing (docs/decisions/0021), the review never pages with `after`: it
 * sorts by hs_object_id ascending and asks each time for the ids above the last one
 * it saw. Each page is then a new query under the cap however many deals the portal
 * has, and a deal edited while the review pages keeps its id, so it is neither lost
 * nor listed twice (sorting by a date would move it). `hs_is_closed` is HubSpot's
 * own flag from the stage's closed won / lost metadata. Pure.
 */
export function openDealsSearchBody(query: OpenDealsQuery, cursor: string | null, pageSize = DEAL_PAGE_SIZE): Record<string, unknown> {
  const filters: Array<Record<string, unknown>> = [{ propertyName: 'hs_is_closed', operator: 'EQ', value: 'false' }];
  if (query.pipelines && query.pipelines.length > 0) filters.push({ propertyName: 'pipeline', operator: 'IN', values: [...query.pipelines] });
  if (cursor !== null) filters.push({ propertyName: 'hs_object_id', operator: 'GT', value: cursor });
  return {
    filterGroups: [{ filters }],
    sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
    properties: [...DEAL_REVIEW_PROPERTIES],
    limit: Math.max(1, Math.min(DEAL_PAGE_SIZE, pageSize)),
  };
}

export interface DealPage {
  deals: DealRecord[];
  total: number;
  more: boolean;
}

/** The deals of a search answer, in the order given; undefined for an answer of another shape. */
export function readDealPage(body: unknown): DealPage | undefined {
  if (!isPlainObject(body) || !Array.isArray(body.results)) return undefined;
  const deals: DealRecord[] = [];
  for (const result of body.results) {
    if (!isPlainObject(result) || (typeof result.id !== 'string' && typeof result.id !== 'number')) return undefined;
    const properties: Record<string, string | null> = {};
    if (isPlainObject(result.properties)) {
      for (const [name, value] of Object.entries(result.properties)) properties[name] = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    }
    deals.push({ id: String(result.id), properties });
  }
  const total = typeof body.total === 'number' ? body.total : deals.length;
  return { deals, total, more: isPlainObject(body.paging) && isPlainObject(body.paging.next) };
}
