import { randomUUID } from 'crypto';
import type { ApiContext, ApiResult, PortalState } from './crm-api.types';
import { errorBody, resourceNotFound, validationError, type HubSpotErrorBody, type PropertyValueError } from './hubspot-errors.factory';
import { publicOwner } from './owner-registry';

/**
 * HubSpot's owners API (read-only): `GET /crm/owners/{version}` and `GET /crm/owners/{version}/{ownerId}`, the
 * date-versioned paths (2025-09, 2026-03, 2026-09 in HubSpot's spec collection, `PublicApiSpecs/CRM/Crm
 * Owners/Rollouts/146888`), and the v3 paths `GET /crm/v3/owners` and `GET /crm/v3/owners/{ownerId}` (the v3
 * spec there, and what @hubspot/api-client's `crm.owners.ownersApi` calls). Same parameters and answers on both.
 */

/** The scope the owners endpoints need. The 2026-03 and v3 specs also accept OAuth's `automation` scope. */
export const OWNERS_READ_SCOPE = 'crm.objects.owners.read';
const OWNERS_SCOPES = [OWNERS_READ_SCOPE, 'automation'];

const DATE_VERSION = /^\d{4}-\d{2}$/;
/** `limit` defaults to 100 (spec); HubSpot returns at most 500 owners a page (changelog, v2 owners sunset). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

/** The owners routes; undefined when the path is not an owners path. */
export function routeOwners(ctx: ApiContext, segments: string[]): ApiResult | undefined {
  const [root, first, second, ...rest] = segments;
  if (root !== 'crm') return undefined;
  const isOwners = (first === 'owners' && second !== undefined && DATE_VERSION.test(second)) || (first === 'v3' && second === 'owners');
  if (!isOwners) return undefined;
  if (ctx.method !== 'GET' || rest.length > 1) return { status: 404, body: resourceNotFound() };
  if (!grants(ctx.scopes, OWNERS_SCOPES)) return { status: 403, body: missingScopes([OWNERS_READ_SCOPE]) };
  const [ownerId] = rest;
  return ownerId === undefined ? listOwners(ctx) : getOwner(ctx, ownerId);
}

function listOwners(ctx: ApiContext): ApiResult {
  const archived = ctx.query.get('archived') === 'true';
  const email = ctx.query.get('email') ?? undefined;
  const rawLimit = ctx.query.get('limit');
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1) return { status: 400, body: validationError(`Invalid limit: ${String(rawLimit)}`, { limit: ['must be a positive integer'] }) };
  const after = ctx.query.get('after');
  const all = ctx.portal.owners.list(archived, email);
  // The cursor is the id of the last owner of the previous page (opaque to clients, as HubSpot's is).
  const start = after === null ? 0 : all.findIndex((o) => o.id === after) + 1;
  const page = all.slice(start, start + Math.min(limit, MAX_LIMIT));
  const body: Record<string, unknown> = { results: page.map(publicOwner) };
  const last = page[page.length - 1];
  if (last && start + page.length < all.length) body.paging = { next: { after: last.id, link: `?after=${last.id}` } };
  return { status: 200, body };
}

function getOwner(ctx: ApiContext, ownerId: string): ApiResult {
  const idProperty = ctx.query.get('idProperty') ?? 'id';
  if (idProperty !== 'id' && idProperty !== 'userId') {
    return { status: 400, body: validationError(`Invalid idProperty: ${idProperty}`, { idProperty: ['must be one of id, userId'] }) };
  }
  // The path parameter is an integer in the spec; HubSpot's default error shape with the parameter in `context`.
  if (!/^\d+$/.test(ownerId)) return { status: 400, body: validationError(`Invalid ownerId: ${ownerId}`, { ownerId: ['Must be a valid ID'] }) };
  const owner = ctx.portal.owners.find(ownerId, ctx.query.get('archived') === 'true', idProperty);
  return owner ? { status: 200, body: publicOwner(owner) } : { status: 404, body: ownerNotFound(ownerId) };
}

/**
 * 404 for an owner id the portal does not have (or, without `archived=true`, a deactivated one). HubSpot documents
 * only the status (the spec's responses are 200 and the generic `Error`); the body is undocumented, so this is
 * the closest documented shape: the CRM objects' 404 (`category` OBJECT_NOT_FOUND, the id in `context`).
 */
export function ownerNotFound(ownerId: string): HubSpotErrorBody {
  return errorBody(`Owner ${ownerId} not found.`, 'OBJECT_NOT_FOUND', { context: { id: [ownerId] } });
}

/**
 * 403 for a token without the scope a call needs, as HubSpot answers it (category MISSING_SCOPES; the scopes,
 * any one of which would do, in `errors[].context.requiredGranularScopes`). Sources: the body quoted in
 * HubSpot/hubspot-api-nodejs#268 (owners getById; older tokens name `requiredScopes`) and in HubSpot community
 * threads on granular scopes (`requiredGranularScopes`).
 */
export function missingScopes(required: string[]): HubSpotErrorBody {
  return {
    status: 'error',
    message: "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    correlationId: randomUUID(),
    errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: [...required] } }],
    links: { scopes: 'https://developers.hubspot.com/scopes' },
    category: 'MISSING_SCOPES',
  };
}

/** Whether the token's scopes (`granted`; undefined: every scope, e.g. a portal added without `scopes`) include one of `scopes`. */
export function grants(granted: readonly string[] | undefined, scopes: readonly string[]): boolean {
  return granted === undefined || scopes.some((s) => granted.includes(s));
}

/** Properties whose value must be the id of one of the portal's active owners. */
export const OWNER_PROPERTIES: readonly string[] = ['hubspot_owner_id'];

/**
 * The owner-id errors of a write's validated values: a `hubspot_owner_id` that is not an active owner of the
 * portal (unknown, or deactivated) is refused like any other invalid property value, so it joins the request's
 * `Property values were not valid` list (per input when the batch has objectWriteTraceIds).
 *
 * Only for portals with at least one owner registered (`addOwner`): a test that never sets up owners writes any
 * owner id, as before owners existed in the sandbox.
 *
 * HubSpot refuses invalid owner ids with a validation error (developer changelog, "Upcoming: Owner IDs and the
 * Engagements API": "Any requests with invalid owner IDs will return a validation error"; integrators report the
 * code as `invalid_owner_id`). The exact message is undocumented: this one, and the code INVALID_OWNER_ID, follow
 * the shape of HubSpot's documented property errors (`<value> was not a valid ...`, `INVALID_<KIND>`).
 */
export function ownerValueErrors(portal: PortalState, values: Record<string, string>): PropertyValueError[] {
  if (!portal.owners.hasAny()) return [];
  const errors: PropertyValueError[] = [];
  for (const name of OWNER_PROPERTIES) {
    const value = values[name];
    if (value === undefined || value === '' || portal.owners.isActive(value)) continue;
    const message = `${value} was not a valid owner id (no active owner of portal ${portal.info.portalId} has it).`;
    errors.push({ isValid: false, message, error: 'INVALID_OWNER_ID', name, localizedErrorMessage: message, portalId: portal.info.portalId });
  }
  return errors;
}
