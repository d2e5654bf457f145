import type { ApiContext, ApiResult } from './crm-api.types';
import type { CrmObjectType } from './hubspot.types';
import { resourceNotFound } from './hubspot-errors.factory';
import { resolveObjectType } from './object-types.registry';
import { archiveObject, createObject, getObject, listObjects, unknownObjectType, updateObject } from './object-handlers';
import { batchArchive, batchCreate, batchRead, batchUpdate, batchUpsert } from './batch-handlers';
import { searchObjects } from './search-handler';
import { createGroup, createProperty, getProperty, listGroups, listProperties, updateProperty } from './property-handlers';
import {
  associateDefault,
  associateLabeled,
  batchAssociateDefault,
  batchReadAssociations,
  createLabel,
  listAssociations,
  listLabels,
  removeAssociation,
  updateLabel,
} from './association-handlers';
import { missingScopes, routeOwners } from './owner-handlers';
import { requiredScopes, unmetRequirement } from './crm-scopes';
import { routePipelines } from './pipeline-handlers';

export type RouteKind = 'search' | 'standard' | 'unknown';

/** Splits and decodes a path into segments. */
export function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** The date-versioned API version served besides v3/v4 (same shapes). */
export const DATE_VERSION = '2026-03';

/**
 * A date-versioned path as the v3/v4 path of the same operation, which the handlers serve:
 * `/crm/objects/2026-03/...` → `/crm/v3/objects/...`, but `/crm/objects/2026-03/{type}/{id}/associations/...` →
 * `/crm/v4/objects/...`; `/crm/associations/2026-03/...` → `/crm/v4/associations/...`;
 * `/crm/properties/2026-03/...` → `/crm/v3/properties/...`; and the labels path of the v4 schema API,
 * `/crm/associations/v4/{from}/{to}/labels` → `/crm/v4/associations/{from}/{to}/labels`. Others stay as they are.
 */
export function canonicalSegments(segments: string[]): string[] {
  const [root, area, version, ...rest] = segments;
  if (root !== 'crm') return segments;
  if (version === DATE_VERSION) {
    if (area === 'objects') return ['crm', rest[2] === 'associations' ? 'v4' : 'v3', 'objects', ...rest];
    if (area === 'associations') return ['crm', 'v4', 'associations', ...rest];
    if (area === 'properties') return ['crm', 'v3', 'properties', ...rest];
  }
  if (version === 'v4' && area === 'associations' && rest[2] === 'labels') return ['crm', 'v4', 'associations', ...rest];
  return segments;
}

/**
 * Whether the call counts against the search limit (its own per-second policy, no rate-limit headers):
 * `POST /crm/v3/objects/{type}/search` and `POST /crm/objects/2026-03/{type}/search`.
 */
export function routeKind(method: string, raw: string[]): RouteKind {
  if (raw[0] !== 'crm') return 'unknown';
  const segments = canonicalSegments(raw);
  if (method === 'POST' && segments.length === 5 && segments[1] === 'v3' && segments[2] === 'objects' && segments[4] === 'search') return 'search';
  return 'standard';
}

type Handler = (ctx: ApiContext, type: CrmObjectType) => ApiResult;

function withType(raw: string | undefined, fn: (type: CrmObjectType) => ApiResult): ApiResult {
  const type = raw === undefined ? undefined : resolveObjectType(raw);
  return type ? fn(type) : unknownObjectType(raw ?? '');
}

function withTypes(a: string | undefined, b: string | undefined, fn: (from: CrmObjectType, to: CrmObjectType) => ApiResult): ApiResult {
  return withType(a, (from) => withType(b, (to) => fn(from, to)));
}

const BATCH: Record<string, Handler> = {
  read: batchRead,
  create: batchCreate,
  update: batchUpdate,
  upsert: batchUpsert,
  archive: batchArchive,
};

/** Routes an authenticated, rate-limit-checked API call to its handler (v3/v4 paths and their 2026-03 forms). */
export function routeApi(ctx: ApiContext, segments: string[]): ApiResult {
  const canonical = canonicalSegments(segments);
  const [root, version, area, ...rest] = canonical;
  const m = ctx.method;
  if (root !== 'crm') return { status: 404, body: resourceNotFound() };

  const owners = routeOwners(ctx, segments);
  if (owners) return owners;

  const unmet = unmetRequirement(ctx.scopes, requiredScopes(m, canonical) ?? []);
  if (unmet) return { status: 403, body: missingScopes([...unmet]) };

  const pipelines = routePipelines(ctx, segments);
  if (pipelines) return pipelines;

  if (version === 'v3' && area === 'objects') {
    const [type, second, third] = rest;
    if (rest.length === 1) {
      if (m === 'GET') return withType(type, (t) => listObjects(ctx, t));
      if (m === 'POST') return withType(type, (t) => createObject(ctx, t));
    }
    if (rest.length === 2 && second === 'search' && m === 'POST') return withType(type, (t) => searchObjects(ctx, t));
    if (rest.length === 3 && second === 'batch' && m === 'POST') {
      const handler = third === undefined ? undefined : BATCH[third];
      if (handler) return withType(type, (t) => handler(ctx, t));
    }
    if (rest.length === 2 && second !== undefined) {
      if (m === 'GET') return withType(type, (t) => getObject(ctx, t, second));
      if (m === 'PATCH') return withType(type, (t) => updateObject(ctx, t, second));
      if (m === 'DELETE') return withType(type, (t) => archiveObject(ctx, t, second));
    }
  }

  if (version === 'v3' && area === 'properties') {
    const [type, second] = rest;
    if (rest.length === 1) {
      if (m === 'GET') return withType(type, (t) => listProperties(ctx, t));
      if (m === 'POST') return withType(type, (t) => createProperty(ctx, t));
    }
    if (rest.length === 2 && second === 'groups') {
      if (m === 'GET') return withType(type, (t) => listGroups(ctx, t));
      if (m === 'POST') return withType(type, (t) => createGroup(ctx, t));
    }
    if (rest.length === 2 && second !== undefined && m === 'GET') return withType(type, (t) => getProperty(ctx, t, second));
    if (rest.length === 2 && second !== undefined && second !== 'groups' && m === 'PATCH') return withType(type, (t) => updateProperty(ctx, t, second));
  }

  if (version === 'v4' && area === 'objects' && rest[2] === 'associations') {
    const [from, id, , fourth, fifth, sixth] = rest;
    if (id === undefined) return { status: 404, body: resourceNotFound() };
    if (rest.length === 4 && m === 'GET') return withTypes(from, fourth, (f, t) => listAssociations(ctx, f, id, t));
    if (rest.length === 6 && fourth === 'default' && m === 'PUT' && sixth !== undefined) {
      return withTypes(from, fifth, (f, t) => associateDefault(ctx, f, id, t, sixth));
    }
    if (rest.length === 5 && fifth !== undefined) {
      if (m === 'PUT') return withTypes(from, fourth, (f, t) => associateLabeled(ctx, f, id, t, fifth));
      if (m === 'DELETE') return withTypes(from, fourth, (f, t) => removeAssociation(ctx, f, id, t, fifth));
    }
  }

  if (version === 'v4' && area === 'associations' && rest[2] === 'labels' && rest.length === 3) {
    const [from, to] = rest;
    if (m === 'GET') return withTypes(from, to, (f, t) => listLabels(ctx, f, t));
    if (m === 'POST') return withTypes(from, to, (f, t) => createLabel(ctx, f, t));
    if (m === 'PUT') return withTypes(from, to, (f, t) => updateLabel(ctx, f, t));
  }

  if (version === 'v4' && area === 'associations' && rest[2] === 'batch' && m === 'POST') {
    const [from, to, , op, sub] = rest;
    if (op === 'read' && rest.length === 4) return withTypes(from, to, (f, t) => batchReadAssociations(ctx, f, t));
    if (op === 'associate' && sub === 'default' && rest.length === 5) return withTypes(from, to, (f, t) => batchAssociateDefault(ctx, f, t));
  }

  return { status: 404, body: resourceNotFound() };
}
