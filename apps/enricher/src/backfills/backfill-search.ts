import { BY_ID_ASCENDING, CAPABILITY_REQUIREMENTS, idsAbove, readSearchResults, scopesNamedIn, searchPageLimit, type BackfillFilter, type CapabilityName, type CrmObjectType } from '@app/common';

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
 * One page of a backfill's listing as a HubSpot search body, paged by id (BY_ID_ASCENDING,
 * idsAbove: never `after`, so no query meets the 10,000-result cap). The creation
 * window and the operator's filters are ANDed in the same filter group. Pure.
 */
export function searchBody(query: BackfillQuery, cursor: string | null, pageSize: number): Record<string, unknown> {
  const filters: Array<Record<string, unknown>> = [];
  if (cursor !== null) filters.push(idsAbove(cursor));
  const before = String(query.before.getTime() - 1);
  filters.push(
    query.since
      ? { propertyName: CREATED, operator: 'BETWEEN', value: String(query.since.getTime()), highValue: before }
      : { propertyName: CREATED, operator: 'LTE', value: before },
  );
  for (const f of query.filter ?? []) filters.push({ ...f });
  return {
    filterGroups: [{ filters }],
    sorts: [...BY_ID_ASCENDING],
    properties: ['hs_object_id'],
    limit: searchPageLimit(pageSize),
  };
}

export type SearchPage = { ids: string[]; total: number; more: boolean };

/** The ids of a search answer, in the order given, and whether HubSpot has more; undefined for an answer of another shape. */
export function readSearchPage(body: unknown): SearchPage | undefined {
  const page = readSearchResults(body);
  return page && { ids: page.results.map((r) => r.id), total: page.total, more: page.more };
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
