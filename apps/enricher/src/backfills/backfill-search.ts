import { CAPABILITY_REQUIREMENTS, isPlainObject, scopesNamedIn, type BackfillFilter, type CapabilityName, type CrmObjectType } from '@app/common';

/** HubSpot's most records per search page. */
export const SEARCH_PAGE_MAX = 200;

/** The property every backfill pages by: ids only grow, and a filter on it never meets the 10,000-result cap. */
const ID = 'hs_object_id';
/** When a record was created (contacts and tickets alike). */
const CREATED = 'createdate';

export interface BackfillQuery {
  objectType: CrmObjectType;
  /** Records created at or after this instant; null: from the first. */
  since: Date | null;
  /** Records created before this instant: the backfill's request. Newer ones are live traffic's (their creation webhook). */
  before: Date;
  filter: readonly BackfillFilter[] | null;
}

/**
 * One page of a backfill's listing as a HubSpot search body. HubSpot answers at most
 * 10,000 results per query (`after` beyond that is a 400), so the listing never pages
 * with `after`: it sorts by hs_object_id ascending and asks each time for the ids
 * above the last one it saw. The creation window and the operator's filters are
 * ANDed in the same filter group. Pure.
 */
export function searchBody(query: BackfillQuery, cursor: string | null, pageSize: number): Record<string, unknown> {
  const filters: Array<Record<string, unknown>> = [];
  if (cursor !== null) filters.push({ propertyName: ID, operator: 'GT', value: cursor });
  const before = String(query.before.getTime() - 1);
  filters.push(
    query.since
      ? { propertyName: CREATED, operator: 'BETWEEN', value: String(query.since.getTime()), highValue: before }
      : { propertyName: CREATED, operator: 'LTE', value: before },
  );
  for (const f of query.filter ?? []) filters.push({ ...f });
  return {
    filterGroups: [{ filters }],
    sorts: [{ propertyName: ID, direction: 'ASCENDING' }],
    properties: [ID],
    limit: Math.max(1, Math.min(SEARCH_PAGE_MAX, pageSize)),
  };
}

export type SearchPage = { ids: string[]; total: number; more: boolean };

/** The ids of a search answer, in the order given, and whether HubSpot has more; undefined for an answer of another shape. */
export function readSearchPage(body: unknown): SearchPage | undefined {
  if (!isPlainObject(body) || !Array.isArray(body.results)) return undefined;
  const ids: string[] = [];
  for (const result of body.results) {
    if (!isPlainObject(result) || (typeof result.id !== 'string' && typeof result.id !== 'number')) return undefined;
    ids.push(String(result.id));
  }
  const total = typeof body.total === 'number' ? body.total : ids.length;
  const next = isPlainObject(body.paging) && isPlainObject(body.paging.next);
  return { ids, total, more: next };
}

/**
 * The scopes a 403 says the token lacks: HubSpot lists them (any one of which would
 * do) in `errors[].context.requiredGranularScopes` of a MISSING_SCOPES answer;
 * otherwise the read scope of the object type as the capability declares it.
 */
export function missingScopesOf(body: unknown, capability: CapabilityName, objectType: CrmObjectType): string[] {
  const named = scopesNamedIn(body);
  return named.length > 0 ? named : [readScopeOf(capability, objectType)];
}

/** The scope (or alternatives) a capability declares for reading records of a type, as HubSpot names it. */
export function readScopeOf(capability: CapabilityName, objectType: CrmObjectType): string {
  const read = `crm.objects.${objectType}.read`;
  const requirement = CAPABILITY_REQUIREMENTS[capability].scopes.find((r) => (typeof r === 'string' ? r === read : r.includes(read)));
  if (requirement === undefined) return read;
  return typeof requirement === 'string' ? requirement : requirement.join(' or ');
}
