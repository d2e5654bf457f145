import { CRM_OBJECT_TYPES, isPlainObject, type CrmObjectType } from '@app/common';

export type WorkflowPayload =
  | {
      ok: true;
      objectType: CrmObjectType;
      objectId: string;
      properties: Record<string, string | null>;
      /** The portal the body names (origin.portalId, portalId, portal-id; all that are present agree); null when it names none. */
      bodyPortalId: number | null;
    }
  | { ok: false; reason: string };

// The "Send a webhook" action posts the enrolled record "as the relevant object API
// returns it": legacy contacts carry vid / portal-id and {value, versions}
// properties, deals dealId / portalId, CRM v3 objects id / objectId with plain
// string properties. Custom workflow actions post { origin: { portalId, … },
// object: { objectId, objectType: "CONTACT" }, inputFields, callbackId }.
const ID_FIELDS: Array<[string, CrmObjectType | null]> = [
  ['objectId', null], ['id', null], ['vid', 'contacts'], ['canonical-vid', 'contacts'], ['dealId', 'deals'], ['companyId', 'companies'], ['ticketId', 'tickets'],
];

/** Reads a workflow "Send a webhook" body. Pure; `typeHint` comes from `?objectType=`. */
export function parseWorkflowPayload(body: unknown, typeHint: string | undefined): WorkflowPayload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'body must be a JSON object (the enrolled record)' };
  const b = body as Record<string, unknown>;
  if (typeHint !== undefined && !CRM_OBJECT_TYPES.includes(typeHint as CrmObjectType)) return { ok: false, reason: `objectType must be one of ${CRM_OBJECT_TYPES.join(', ')}` };

  const portal = portalNamedBy(b);
  if (portal === 'conflicting') return { ok: false, reason: 'the body names more than one portal (origin.portalId, portalId, portal-id disagree)' };
  if (portal === 'invalid') return { ok: false, reason: 'origin.portalId, portalId and portal-id must be positive integers' };

  const properties = flattenProperties(b.properties);
  if (properties === undefined) return { ok: false, reason: 'properties must be an object' };

  // A custom action's enrolled object, when there is one.
  const object = isPlainObject(b.object) ? b.object : undefined;
  let objectId: string | undefined;
  let inferred: CrmObjectType | null = object && typeof object.objectType === 'string' ? (ACTION_OBJECT_TYPES.get(object.objectType.toUpperCase()) ?? null) : null;
  if (object && isRecordId(object.objectId)) objectId = String(object.objectId);
  for (const [field, type] of objectId === undefined ? ID_FIELDS : []) {
    const value = b[field];
    if (isRecordId(value)) {
      objectId = String(value);
      inferred = type ?? inferred;
      break;
    }
  }
  objectId ??= properties.hs_object_id ?? undefined;
  if (!objectId || !isRecordId(objectId)) return { ok: false, reason: 'no record id (objectId, id, vid, dealId, companyId, ticketId or properties.hs_object_id)' };

  const objectType = (typeHint as CrmObjectType | undefined) ?? inferred;
  if (!objectType) return { ok: false, reason: 'cannot tell the record type: add ?objectType=contacts|companies|deals|tickets to the webhook URL' };

  return { ok: true, objectType, objectId, properties, bodyPortalId: portal };
}

const ACTION_OBJECT_TYPES: ReadonlyMap<string, CrmObjectType> = new Map([['CONTACT', 'contacts'], ['COMPANY', 'companies'], ['DEAL', 'deals'], ['TICKET', 'tickets']]);

/**
 * The portal a body names, in the places HubSpot fills: origin.portalId (custom
 * workflow actions), portalId or portal-id (the enrolled record). Every one present
 * must agree. Own properties only, so a prototype key never counts.
 */
function portalNamedBy(b: Record<string, unknown>): number | null | 'conflicting' | 'invalid' {
  const origin = isPlainObject(b.origin) ? b.origin : undefined;
  const present = [origin && Object.hasOwn(origin, 'portalId') ? origin.portalId : undefined, Object.hasOwn(b, 'portalId') ? b.portalId : undefined, Object.hasOwn(b, 'portal-id') ? b['portal-id'] : undefined].filter(
    (value) => value !== undefined,
  );
  if (present.length === 0) return null;
  const ids = present.map((value) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null));
  if (ids.includes(null)) return 'invalid';
  return new Set(ids).size === 1 ? ids[0]! : 'conflicting';
}

function isRecordId(value: unknown): boolean {
  return (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) || (typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value) && Number.isSafeInteger(Number(value)));
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
