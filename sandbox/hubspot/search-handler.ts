import type { ApiContext, ApiResult } from './crm-api.types';
import type { CrmObjectType, StoredObject } from './hubspot.types';
import { validationError } from './hubspot-errors.factory';
import { compareValues, matchesFilterGroups, matchesQuery, parseSearchRequest, type SearchSort } from './search-filter.evaluator';
import { publicView } from './object-handlers';

/** Properties the default full-text `query` looks in. */
const SEARCHABLE: Record<CrmObjectType, string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'hs_additional_emails'],
  companies: ['name', 'domain', 'website', 'phone'],
  deals: ['dealname'],
  tickets: ['subject', 'content'],
  notes: ['hs_note_body'],
  tasks: ['hs_task_subject', 'hs_task_body'],
  emails: ['hs_email_subject', 'hs_email_text'],
};

function sortObjects(objects: StoredObject[], sorts: SearchSort[]): StoredObject[] {
  const first = sorts[0];
  if (!first) return objects;
  const dir = first.direction === 'DESCENDING' ? -1 : 1;
  return [...objects].sort((a, b) => {
    const x = first.propertyName === 'hs_object_id' ? a.id : a.properties[first.propertyName];
    const y = first.propertyName === 'hs_object_id' ? b.id : b.properties[first.propertyName];
    if (x === undefined && y === undefined) return Number(a.id) - Number(b.id);
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return compareValues(x, y) * dir || Number(a.id) - Number(b.id);
  });
}

/** `POST /crm/v3/objects/{type}/search` → `{ total, results, paging? }` (immediately consistent, unlike HubSpot). */
export function searchObjects(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const parsed = parseSearchRequest(ctx.body);
  if (!parsed.ok) return { status: 400, body: validationError(parsed.message) };
  const q = parsed.query;
  const matching = ctx.portal.store
    .list(type)
    .filter((o) => matchesFilterGroups(o.properties, q.filterGroups) && matchesQuery(o.properties, q.query, SEARCHABLE[type]));
  const sorted = sortObjects(matching, q.sorts);
  const page = sorted.slice(q.after, q.after + q.limit);
  const requested = q.properties && q.properties.length > 0 ? q.properties : null;
  const body: Record<string, unknown> = { total: sorted.length, results: page.map((o) => publicView(ctx, o, requested)) };
  if (q.after + q.limit < sorted.length) body.paging = { next: { after: String(q.after + q.limit) } };
  return { status: 200, body };
}
