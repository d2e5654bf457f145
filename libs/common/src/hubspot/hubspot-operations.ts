/**
 * Every HubSpot endpoint the platform calls, by operation, with the API version
 * it is called at: the one place to change when HubSpot's calendar moves.
 *
 * HubSpot's date-versioned API replaces v1–v4 (v4 associations lose support on
 * 2027-03-30, v1–v3 in September 2027; docs/decisions/0018). 2026-03 is the
 * current stable version. The SDK's typed clients still call v3, so every call
 * goes through the SDK's generic `apiRequest` (its auth and base URL) with the
 * path built here.
 */
export const HUBSPOT_API_VERSION = '2026-03';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface OperationSpec<P> {
  method: HttpMethod;
  version: string;
  path: (params: P) => string;
}

const seg = (value: string | number): string => encodeURIComponent(String(value));

function operation<P>(method: HttpMethod, path: (v: string, params: P) => string, version: string = HUBSPOT_API_VERSION): OperationSpec<P> {
  return { method, version, path: (params) => path(version, params) };
}

type ObjectType = { objectType: string };
type ObjectRef = ObjectType & { objectId: string };
type Pair = { fromObjectType: string; toObjectType: string };

export const HUBSPOT_OPERATIONS = {
  /** One record; `associations=` lists associated ids per type. */
  'objects.get': operation<ObjectRef>('GET', (v, p) => `/crm/objects/${v}/${seg(p.objectType)}/${seg(p.objectId)}`),
  'objects.batchRead': operation<ObjectType>('POST', (v, p) => `/crm/objects/${v}/${seg(p.objectType)}/batch/read`),
  /** Not idempotent: docs/decisions/0018 says how a create is never sent twice. */
  'objects.batchCreate': operation<ObjectType>('POST', (v, p) => `/crm/objects/${v}/${seg(p.objectType)}/batch/create`),
  'objects.batchUpdate': operation<ObjectType>('POST', (v, p) => `/crm/objects/${v}/${seg(p.objectType)}/batch/update`),
  'objects.search': operation<ObjectType>('POST', (v, p) => `/crm/objects/${v}/${seg(p.objectType)}/search`),
  /** The records of one type a record is associated with (paged, up to 500). */
  'associations.list': operation<ObjectRef & { toObjectType: string }>('GET', (v, p) => `/crm/objects/${v}/${seg(p.objectType)}/${seg(p.objectId)}/associations/${seg(p.toObjectType)}`),
  /** A portal's association types between two object types, custom labels included. */
  'associations.labels': operation<Pair>('GET', (v, p) => `/crm/associations/${v}/${seg(p.fromObjectType)}/${seg(p.toObjectType)}/labels`),
  'owners.get': operation<{ ownerId: string }>('GET', (v, p) => `/crm/owners/${v}/${seg(p.ownerId)}`),
} as const;

export type HubSpotOperationName = keyof typeof HUBSPOT_OPERATIONS;
export type OperationParams<O extends HubSpotOperationName> = (typeof HUBSPOT_OPERATIONS)[O] extends OperationSpec<infer P> ? P : never;

/** The method, path and version of one call. Pure. */
export function resolveOperation<O extends HubSpotOperationName>(name: O, params: OperationParams<O>): { method: HttpMethod; path: string; version: string } {
  const spec = HUBSPOT_OPERATIONS[name] as OperationSpec<OperationParams<O>>;
  return { method: spec.method, path: spec.path(params), version: spec.version };
}
