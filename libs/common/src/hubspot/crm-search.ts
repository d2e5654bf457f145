import { isPlainObject } from '../util/json';

/** HubSpot's most records per CRM search page (developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm). */
export const CRM_SEARCH_PAGE_MAX = 200;

/**
 * Keyset paging past HubSpot's 10,000 results per search (an `after` beyond that is a
 * 400): sort by hs_object_id ascending and ask each time for the ids above the last
 * one seen, so every page is a new query under the cap, and a record edited while
 * paging keeps its id (neither lost nor listed twice). The backfill's and the daily
 * review's listings page this way (docs/decisions/0021).
 */
export const BY_ID_ASCENDING = [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }] as const;

/** The filter for the page after `cursor` (the last id seen). */
export function idsAbove(cursor: string): Record<string, unknown> {
  return { propertyName: 'hs_object_id', operator: 'GT', value: cursor };
}

/** A page size HubSpot takes: 1 to CRM_SEARCH_PAGE_MAX. */
export function searchPageLimit(pageSize: number): number {
  return Math.max(1, Math.min(CRM_SEARCH_PAGE_MAX, pageSize));
}

export interface SearchResults {
  /** Each result's id and its properties as text (null: absent or not text). */
  results: Array<{ id: string; properties: Record<string, string | null> }>;
  total: number;
  /** HubSpot has more (paging.next). */
  more: boolean;
}

/** A CRM search answer's results in the order given; undefined for an answer of another shape (a result without an id). */
export function readSearchResults(body: unknown): SearchResults | undefined {
  if (!isPlainObject(body) || !Array.isArray(body.results)) return undefined;
  const results: SearchResults['results'] = [];
  for (const result of body.results) {
    if (!isPlainObject(result) || (typeof result.id !== 'string' && typeof result.id !== 'number')) return undefined;
    const properties: Record<string, string | null> = {};
    if (isPlainObject(result.properties)) {
      for (const [name, value] of Object.entries(result.properties)) properties[name] = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    }
    results.push({ id: String(result.id), properties });
  }
  const total = typeof body.total === 'number' ? body.total : results.length;
  return { results, total, more: isPlainObject(body.paging) && isPlainObject(body.paging.next) };
}
