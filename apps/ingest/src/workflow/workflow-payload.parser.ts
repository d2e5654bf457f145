import { CRM_OBJECT_TYPES, type CrmObjectType } from '@app/common';

export type WorkflowPayload =
  | { ok: true; objectType: CrmObjectType; objectId: string; properties: Record<string, string | null>; bodyPortalId: number | null }
  | { ok: false; reason: string };

// The action posts the enrolled record "as the relevant object API returns it":
// legacy contacts carry vid / portal-id and {value, versions} properties, deals
// dealId / portalId, CRM v3 objects id / objectId with plain string properties.
const ID_FIELDS: Array<[string, CrmObjectType | null]> = [
  ['objectId', null], ['id', null], ['vid', 'contacts'], ['canonical-vid', 'contacts'], ['dealId', 'deals'], ['companyId', 'companies'], ['ticketId', 'tickets'],
];

/** Reads a workflow "Send a webhook" body. Pure; `typeHint` comes from `?objectType=`. */
export function parseWorkflowPayload(body: unknown, typeHint: string | undefined): WorkflowPayload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'body must be a JSON object (the enrolled record)' };
  const b = body as Record<string, unknown>;
  if (typeHint !== undefined && !CRM_OBJECT_TYPES.includes(typeHint as CrmObjectType)) return { ok: false, reason: `objectType must be one of ${CRM_OBJECT_TYPES.join(', ')}` };

  const properties = flattenProperties(b.properties);
  if (properties === undefined) return { ok: false, reason: 'properties must be an object' };

  let objectId: string | undefined;
  let inferred: CrmObjectType | null = null;
  for (const [field, type] of ID_FIELDS) {
    const value = b[field];
    if ((typeof value === 'number' && Number.isSafeInteger(value) && value > 0) || (typeof value === 'string' && /^\d+$/.test(value))) {
      objectId = String(value);
      inferred = type;
      break;
    }
  }
  objectId ??= properties.hs_object_id ?? undefined;
  if (!objectId || !/^\d+$/.test(objectId)) return { ok: false, reason: 'no record id (objectId, id, vid, dealId, companyId, ticketId or properties.hs_object_id)' };

  const objectType = (typeHint as CrmObjectType | undefined) ?? inferred;
  if (!objectType) return { ok: false, reason: 'cannot tell the record type: add ?objectType=contacts|companies|deals|tickets to the webhook URL' };

  const rawPortal = b.portalId ?? b['portal-id'];
  const bodyPortalId = typeof rawPortal === 'number' && Number.isSafeInteger(rawPortal) ? rawPortal : null;
  return { ok: true, objectType, objectId, properties, bodyPortalId };
}

function flattenProperties(value: unknown): Record<string, string | null> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string | null> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const inner = typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : v;
    out[name] = inner === null || inner === undefined ? null : typeof inner === 'object' ? JSON.stringify(inner) : String(inner);
  }
  return out;
}
