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
  /**
   * Every pipeline of one object type with its stages, in one answer (no paging). Verified in HubSpot's spec
   * (PublicApiSpecs/CRM/Pipelines/Rollouts/145896/2026-03, "Retrieve all pipelines") and reference
   * (developers.hubspot.com/docs/api-reference/latest/crm/pipelines/get-pipelines): `results[]` of `{id, label,
   * displayOrder, archived, stages[{id, label, displayOrder, archived, metadata}]}`, `metadata` a map of strings, a
   * deal stage's `probability` 0.0–1.0 in steps of 0.1; the security accepts any one of many scopes,
   * `crm.objects.deals.read` among them. Assumed: `metadata.isClosed` (not in the spec; seen in answers), and
   * whether archived pipelines or stages are listed (the spec's GET has no `archived` parameter): readers skip
   * `archived: true` ones.
   */
  'pipelines.list': operation<ObjectType>('GET', (v, p) => `/crm/pipelines/${v}/${seg(p.objectType)}`),

  // Properties (the capabilities' `ai_*` properties: property bootstrap).
  'properties.list': operation<ObjectType>('GET', (v, p) => `/crm/properties/${v}/${seg(p.objectType)}`),
  'properties.create': operation<ObjectType>('POST', (v, p) => `/crm/properties/${v}/${seg(p.objectType)}`),
  'properties.update': operation<ObjectType & { propertyName: string }>('PATCH', (v, p) => `/crm/properties/${v}/${seg(p.objectType)}/${seg(p.propertyName)}`),
  'propertyGroups.list': operation<ObjectType>('GET', (v, p) => `/crm/properties/${v}/${seg(p.objectType)}/groups`),
  'propertyGroups.create': operation<ObjectType>('POST', (v, p) => `/crm/properties/${v}/${seg(p.objectType)}/groups`),

  // The account (onboarding): time zone, currency, hosting; the daily API usage of private apps.
  'account.details': operation<Record<string, never>>('GET', (v) => `/account-info/${v}/details`),
  'account.dailyUsage': operation<Record<string, never>>('GET', (v) => `/account-info/${v}/api-usage/daily/private-apps`),

  // OAuth (docs/decisions/0020): the 2026-03 endpoints, never v1 (switched off on 2027-02-16).
  // Form-encoded bodies with the app's credentials; no bearer token.
  'oauth.token': operation<Record<string, never>>('POST', (v) => `/oauth/${v}/token`),
  'oauth.introspect': operation<Record<string, never>>('POST', (v) => `/oauth/${v}/token/introspect`),
  'oauth.revoke': operation<Record<string, never>>('POST', (v) => `/oauth/${v}/token/revoke`),
  /** Uninstalls the app from the account of the access token (needs the `oauth` scope); 204. */
  'apps.uninstall': operation<Record<string, never>>('DELETE', (v) => `/appinstalls/${v}/external-install`),
  /** A private app's token: its hub id, app id and scopes (HubSpot has no date-versioned form of it). */
  'privateApps.tokenInfo': operation<Record<string, never>>('POST', () => `/oauth/v2/private-apps/get/access-token-info`, 'v2'),
} as const;

export type HubSpotOperationName = keyof typeof HUBSPOT_OPERATIONS;
export type OperationParams<O extends HubSpotOperationName> = (typeof HUBSPOT_OPERATIONS)[O] extends OperationSpec<infer P> ? P : never;

/** The method, path and version of one call. Pure. */
export function resolveOperation<O extends HubSpotOperationName>(name: O, params: OperationParams<O>): { method: HttpMethod; path: string; version: string } {
  const spec = HUBSPOT_OPERATIONS[name] as OperationSpec<OperationParams<O>>;
  return { method: spec.method, path: spec.path(params), version: spec.version };
}
