import type { ApiContext, ApiResult } from './crm-api.types';
import type { CrmObjectType, PublicObject, StoredObject } from './hubspot.types';
import { toPublicObject } from './crm-store';
import { objectNotFound, validationError } from './hubspot-errors.factory';
import { commitArchive, commitCreate, commitUpdate, prepareCreate, prepareUpdate, resolveObject } from './crm-write.service';
import { objectTypeInfo, resolveObjectType } from './object-types.registry';
import { associationTypeName, findAssociationType } from './association-types.registry';

/** `?properties=a,b&properties=c` → ['a','b','c']; null when absent. */
export function listParam(query: URLSearchParams, name: string): string[] | null {
  const raw = query.getAll(name);
  if (raw.length === 0) return null;
  const names = raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return names.length > 0 ? names : null;
}

export function publicView(ctx: ApiContext, object: StoredObject, requested: string[] | null | 'all'): PublicObject {
  return toPublicObject(object, requested, (name) => ctx.portal.registry.get(object.type, name) !== undefined);
}

function withAssociations(ctx: ApiContext, object: StoredObject, view: PublicObject, toTypes: string[] | null): PublicObject {
  if (!toTypes) return view;
  const associations: NonNullable<PublicObject['associations']> = {};
  for (const raw of toTypes) {
    const toType = resolveObjectType(raw);
    if (!toType) continue;
    const results = ctx.portal.store.associationsOf(object.type, object.id, toType).map((a) => {
      // A USER_DEFINED label is named by its internal name (the `name` it was created with).
      if (a.category === 'USER_DEFINED') return { id: a.toId, type: ctx.portal.labels.find(object.type, toType, a.typeId)?.name ?? String(a.typeId) };
      const def = findAssociationType(object.type, toType, a.typeId);
      return { id: a.toId, type: def ? associationTypeName(def, (t) => objectTypeInfo(t).singular) : String(a.typeId) };
    });
    if (results.length > 0) associations[toType] = { results };
  }
  return Object.keys(associations).length > 0 ? { ...view, associations } : view;
}

export function getObject(ctx: ApiContext, type: CrmObjectType, id: string): ApiResult {
  const archived = ctx.query.get('archived') === 'true';
  const object = resolveObject(ctx, type, id, ctx.query.get('idProperty'), archived);
  if (!object || object.archived !== archived) return { status: 404, body: objectNotFound(id) };
  const view = publicView(ctx, object, listParam(ctx.query, 'properties'));
  return { status: 200, body: withAssociations(ctx, object, view, listParam(ctx.query, 'associations')) };
}

export function listObjects(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const limit = Math.min(100, Math.max(1, Number(ctx.query.get('limit') ?? 10) || 10));
  const after = Number(ctx.query.get('after') ?? 0) || 0;
  const archived = ctx.query.get('archived') === 'true';
  const all = ctx.portal.store.list(type, archived).filter((o) => o.archived === archived && Number(o.id) > after);
  const page = all.slice(0, limit);
  const requested = listParam(ctx.query, 'properties');
  const body: Record<string, unknown> = { results: page.map((o) => publicView(ctx, o, requested)) };
  const last = page[page.length - 1];
  if (all.length > limit && last) {
    body.paging = { next: { after: last.id, link: `?after=${last.id}` } };
  }
  return { status: 200, body };
}

export function createObject(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const prepared = prepareCreate(ctx, type, ctx.body);
  if (!prepared.ok) return { status: prepared.status, body: prepared.body };
  const object = commitCreate(ctx, type, prepared.value);
  return { status: 201, body: publicView(ctx, object, 'all'), headers: { Location: `/crm/v3/objects/${type}/${object.id}` } };
}

export function updateObject(ctx: ApiContext, type: CrmObjectType, id: string): ApiResult {
  const object = resolveObject(ctx, type, id, ctx.query.get('idProperty'));
  if (!object) return { status: 404, body: objectNotFound(id) };
  const values = prepareUpdate(ctx, object, ctx.body);
  if (!values.ok) return { status: values.status, body: values.body };
  commitUpdate(ctx, object, values.value);
  return { status: 200, body: publicView(ctx, object, 'all') };
}

export function archiveObject(ctx: ApiContext, type: CrmObjectType, id: string): ApiResult {
  const object = ctx.portal.store.get(type, id);
  if (object) commitArchive(ctx, object);
  return { status: 204 };
}

export function unknownObjectType(raw: string): ApiResult {
  return { status: 400, body: validationError(`Unable to infer object type from: ${raw}`) };
}
