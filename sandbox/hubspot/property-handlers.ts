import type { ApiContext, ApiResult } from './crm-api.types';
import type { CrmObjectType } from './hubspot.types';
import { errorBody, validationError } from './hubspot-errors.factory';
import { publicProperty } from './property-registry';

export function listProperties(ctx: ApiContext, type: CrmObjectType): ApiResult {
  return { status: 200, body: { results: ctx.portal.registry.list(type).map(publicProperty) } };
}

export function getProperty(ctx: ApiContext, type: CrmObjectType, name: string): ApiResult {
  const def = ctx.portal.registry.get(type, name);
  if (!def) return { status: 404, body: errorBody(`Unable to find property ${name} on object type ${type}`, 'OBJECT_NOT_FOUND') };
  return { status: 200, body: publicProperty(def) };
}

export function createProperty(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const result = ctx.portal.registry.create(type, ctx.body);
  if (!result.ok) return { status: result.status, body: errorBody(result.message, result.category) };
  return { status: 201, body: publicProperty(result.property) };
}

/** `PATCH /crm/{properties/2026-03|v3/properties}/{objectType}/{propertyName}` (see PropertyRegistry.update). */
export function updateProperty(ctx: ApiContext, type: CrmObjectType, name: string): ApiResult {
  const hasValues = ctx.portal.store.list(type, true).some((o) => (o.properties[name] ?? '') !== '');
  const result = ctx.portal.registry.update(type, name, ctx.body, hasValues);
  if (!result.ok) return { status: result.status, body: errorBody(result.message, result.category) };
  return { status: 200, body: publicProperty(result.property) };
}

export function listGroups(ctx: ApiContext, type: CrmObjectType): ApiResult {
  return { status: 200, body: { results: ctx.portal.registry.listGroups(type) } };
}

export function createGroup(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const result = ctx.portal.registry.createGroup(type, ctx.body);
  if (!result.ok) {
    return { status: result.status, body: result.status === 409 ? errorBody(result.message, 'OBJECT_ALREADY_EXISTS') : validationError(result.message) };
  }
  return { status: 201, body: result.group };
}
