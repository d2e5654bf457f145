import type { ApiContext, ApiResult } from './crm-api.types';
import type { CrmObjectType, StoredAssociation } from './hubspot.types';
import { isJsonObject } from '../shared/http-io.util';
import { errorBody, objectNotFound, validationError } from './hubspot-errors.factory';
import { associationTypesBetween, defaultAssociationType, findAssociationType, type AssociationTypeDef } from './association-types.registry';
import { objectTypeInfo } from './object-types.registry';
import { formatInstant } from './instant-format.util';
import { BATCH_LIMIT } from './batch-handlers';

/** The label of a stored association: HubSpot's (`Primary`, null for the default type) or the portal's USER_DEFINED one. */
function labelOf(ctx: ApiContext, from: CrmObjectType, a: StoredAssociation): string | null {
  if (a.category === 'USER_DEFINED') return ctx.portal.labels.find(from, a.toType, a.typeId)?.label ?? null;
  return findAssociationType(from, a.toType, a.typeId)?.label ?? null;
}

/**
 * `associationTypes` of one target as v4 lists them, e.g. a contact's primary company:
 * `[{category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary'}, {category: 'HUBSPOT_DEFINED', typeId: 279, label: null}]`
 * (ordered by type id, which puts the HubSpot-defined labels first, as in HubSpot's answers, and a portal's
 * USER_DEFINED labels, ids from 1000, after them).
 */
function associationTypesView(ctx: ApiContext, from: CrmObjectType, list: StoredAssociation[]): Array<{ category: string; typeId: number; label: string | null }> {
  return [...list]
    .sort((a, b) => a.typeId - b.typeId)
    .map((a) => ({ category: a.category, typeId: a.typeId, label: labelOf(ctx, from, a) }));
}

/** Groups a record's associations to one type by target id, as v4 returns them. */
function groupedTargets(ctx: ApiContext, from: CrmObjectType, id: string, to: CrmObjectType): Array<{ toObjectId: number; associationTypes: ReturnType<typeof associationTypesView> }> {
  const byTarget = new Map<string, StoredAssociation[]>();
  for (const a of ctx.portal.store.associationsOf(from, id, to)) {
    const list = byTarget.get(a.toId) ?? [];
    list.push(a);
    byTarget.set(a.toId, list);
  }
  return [...byTarget.entries()]
    .sort(([x], [y]) => Number(x) - Number(y))
    .map(([toId, list]) => ({ toObjectId: Number(toId), associationTypes: associationTypesView(ctx, from, list) }));
}

/** `GET /crm/v4/objects/{from}/{id}/associations/{to}` (or `/crm/objects/2026-03/...`) */
export function listAssociations(ctx: ApiContext, from: CrmObjectType, id: string, to: CrmObjectType): ApiResult {
  if (!ctx.portal.store.get(from, id)) return { status: 404, body: objectNotFound(id) };
  const limit = Math.min(500, Math.max(1, Number(ctx.query.get('limit') ?? 500) || 500));
  const after = Number(ctx.query.get('after') ?? 0) || 0;
  const all = groupedTargets(ctx, from, id, to).filter((r) => r.toObjectId > after);
  const page = all.slice(0, limit);
  const body: Record<string, unknown> = { results: page };
  const last = page[page.length - 1];
  if (all.length > limit && last) body.paging = { next: { after: String(last.toObjectId) } };
  return { status: 200, body };
}

function defaultPair(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string): Array<Record<string, unknown>> | undefined {
  const def = defaultAssociationType(from, to);
  if (!def) return undefined;
  return [
    { from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: def.typeId } },
    { from: { id: toId }, to: { id: fromId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: def.reverseTypeId } },
  ];
}

/** `PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}` (or `/crm/objects/2026-03/...`) → 200 with both directions. */
export function associateDefault(ctx: ApiContext, from: CrmObjectType, id: string, to: CrmObjectType, toId: string): ApiResult {
  if (!ctx.portal.store.get(from, id)) return { status: 404, body: objectNotFound(id) };
  if (!ctx.portal.store.get(to, toId)) return { status: 404, body: objectNotFound(toId) };
  const def = defaultAssociationType(from, to);
  const results = defaultPair(from, id, to, toId);
  if (!def || !results) return { status: 400, body: validationError(`No default association type between ${from} and ${to}`) };
  ctx.portal.store.associate(from, id, to, toId, def.typeId, 'HUBSPOT_DEFINED');
  const at = formatInstant(ctx.now);
  return { status: 200, body: { status: 'COMPLETE', results, startedAt: at, completedAt: at } };
}

/**
 * `PUT /crm/v4/objects/{from}/{id}/associations/{to}/{toId}` (or `/crm/objects/2026-03/...`) with
 * `[{associationCategory, associationTypeId}]` → 201. Takes HubSpot-defined types and the portal's USER_DEFINED ones
 * from `from` to `to`; any other type id refuses the whole call (400) before anything is stored.
 */
export function associateLabeled(ctx: ApiContext, from: CrmObjectType, id: string, to: CrmObjectType, toId: string): ApiResult {
  if (!ctx.portal.store.get(from, id)) return { status: 404, body: objectNotFound(id) };
  if (!ctx.portal.store.get(to, toId)) return { status: 404, body: objectNotFound(toId) };
  if (!Array.isArray(ctx.body) || ctx.body.length === 0) {
    return { status: 400, body: validationError('Invalid input JSON: expected an array of association types') };
  }
  const defs: Array<{ def: AssociationTypeDef; category: 'HUBSPOT_DEFINED' | 'USER_DEFINED' }> = [];
  for (const t of ctx.body) {
    const category = isJsonObject(t) ? t.associationCategory : undefined;
    if (!isJsonObject(t) || (category !== 'HUBSPOT_DEFINED' && category !== 'USER_DEFINED')) {
      return { status: 400, body: validationError('Only HUBSPOT_DEFINED and USER_DEFINED association types exist in the sandbox') };
    }
    const typeId = Number(t.associationTypeId);
    const def = category === 'USER_DEFINED' ? ctx.portal.labels.find(from, to, typeId) : findAssociationType(from, to, typeId);
    if (!def) {
      return { status: 400, body: validationError(`${String(t.associationTypeId)} is not a valid ${category} association type id from ${from} to ${to}`) };
    }
    defs.push({ def, category });
  }
  const labels: string[] = [];
  for (const { def, category } of defs) {
    ctx.portal.store.associate(from, id, to, toId, def.typeId, category, def.reverseTypeId);
    if (def.label) labels.push(def.label);
  }
  return {
    status: 201,
    body: {
      fromObjectTypeId: objectTypeInfo(from).typeId,
      fromObjectId: Number(id),
      toObjectTypeId: objectTypeInfo(to).typeId,
      toObjectId: Number(toId),
      labels,
    },
  };
}

export function removeAssociation(ctx: ApiContext, from: CrmObjectType, id: string, to: CrmObjectType, toId: string): ApiResult {
  ctx.portal.store.dissociate(from, id, to, toId);
  return { status: 204 };
}

function inputsOf(body: unknown): unknown[] | ApiResult {
  if (!isJsonObject(body) || !Array.isArray(body.inputs)) return { status: 400, body: validationError('Invalid input JSON: Some required fields were not set: [inputs]') };
  if (body.inputs.length > BATCH_LIMIT) return { status: 400, body: validationError(`Batch input size ${body.inputs.length} exceeds the limit of ${BATCH_LIMIT} inputs`) };
  return body.inputs;
}

function idFrom(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (isJsonObject(value) && (typeof value.id === 'string' || typeof value.id === 'number')) return String(value.id);
  return undefined;
}

/**
 * `POST /crm/v4/associations/{from}/{to}/batch/read` (or `/crm/associations/2026-03/...`): records without
 * associations of that type come back as OBJECT_NOT_FOUND error entries (207), as HubSpot does.
 */
export function batchReadAssociations(ctx: ApiContext, from: CrmObjectType, to: CrmObjectType): ApiResult {
  const inputs = inputsOf(ctx.body);
  if (!Array.isArray(inputs)) return inputs;
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const input of inputs) {
    const id = idFrom(input);
    if (id === undefined) return { status: 400, body: validationError('Invalid input JSON: every input needs an id') };
    const targets = ctx.portal.store.get(from, id) ? groupedTargets(ctx, from, id, to) : [];
    if (targets.length === 0) {
      const e = errorBody(`No ${to} is associated with ${objectTypeInfo(from).singular} ${id}.`, 'OBJECT_NOT_FOUND', {
        context: { fromObjectId: [id], fromObjectType: [objectTypeInfo(from).typeId], toObjectType: [objectTypeInfo(to).typeId] },
      });
      errors.push({ ...e, subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND', errors: [], links: {} });
      continue;
    }
    results.push({ from: { id }, to: targets });
  }
  const body: Record<string, unknown> = { status: 'COMPLETE', results };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  body.startedAt = formatInstant(ctx.now);
  body.completedAt = formatInstant(ctx.now);
  return { status: errors.length > 0 ? 207 : 200, body };
}

/** `POST /crm/v4/associations/{from}/{to}/batch/associate/default` (or `/crm/associations/2026-03/...`) */
export function batchAssociateDefault(ctx: ApiContext, from: CrmObjectType, to: CrmObjectType): ApiResult {
  const inputs = inputsOf(ctx.body);
  if (!Array.isArray(inputs)) return inputs;
  const def = defaultAssociationType(from, to);
  if (!def) return { status: 400, body: validationError(`No default association type between ${from} and ${to}`) };
  const results: unknown[] = [];
  for (const input of inputs) {
    const fromId = isJsonObject(input) ? idFrom(input.from) : undefined;
    const toId = isJsonObject(input) ? idFrom(input.to) : undefined;
    if (fromId === undefined || toId === undefined) return { status: 400, body: validationError('Invalid input JSON: inputs need from.id and to.id') };
    if (!ctx.portal.store.get(from, fromId)) return { status: 404, body: objectNotFound(fromId) };
    if (!ctx.portal.store.get(to, toId)) return { status: 404, body: objectNotFound(toId) };
  }
  for (const input of inputs as Array<Record<string, unknown>>) {
    const fromId = idFrom(input.from) ?? '';
    const toId = idFrom(input.to) ?? '';
    ctx.portal.store.associate(from, fromId, to, toId, def.typeId, 'HUBSPOT_DEFINED');
    results.push(...(defaultPair(from, fromId, to, toId) ?? []));
  }
  const at = formatInstant(ctx.now);
  return { status: 200, body: { status: 'COMPLETE', results, startedAt: at, completedAt: at } };
}

type LabelView = { category: 'HUBSPOT_DEFINED' | 'USER_DEFINED'; typeId: number; label: string | null };

/**
 * `GET /crm/associations/{2026-03|v4}/{from}/{to}/labels` (also `/crm/v4/associations/{from}/{to}/labels`) →
 * `{results: [{category, typeId, label}]}`: the HubSpot-defined types (the unlabeled default with `label: null`,
 * `Primary` where it exists), then the portal's USER_DEFINED labels, each group by type id.
 */
export function listLabels(ctx: ApiContext, from: CrmObjectType, to: CrmObjectType): ApiResult {
  const hubspot: LabelView[] = associationTypesBetween(from, to)
    .sort((a, b) => a.typeId - b.typeId)
    .map((d) => ({ category: 'HUBSPOT_DEFINED', typeId: d.typeId, label: d.label }));
  const user: LabelView[] = ctx.portal.labels
    .between(from, to)
    .sort((a, b) => a.typeId - b.typeId)
    .map((d) => ({ category: 'USER_DEFINED', typeId: d.typeId, label: d.label }));
  return { status: 200, body: { results: [...hubspot, ...user] } };
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined | null {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : null;
}

/**
 * `POST /crm/associations/{2026-03|v4}/{from}/{to}/labels` with `{label, name, inverseLabel?}` → 200
 * `{results: [{category: 'USER_DEFINED', typeId, label}, ...]}` (the spec's CollectionResponseAssociationSpecWithLabelNoPaging):
 * the new `from → to` type first, then its reverse `to → from` type (labeled `inverseLabel`, or the label) when it
 * has its own id. Type ids are the portal's own (PortalAssociationLabels); a `name` the pair already has → 409.
 */
export function createLabel(ctx: ApiContext, from: CrmObjectType, to: CrmObjectType): ApiResult {
  const body = isJsonObject(ctx.body) ? ctx.body : undefined;
  const label = body ? optionalString(body, 'label') : undefined;
  const name = body ? optionalString(body, 'name') : undefined;
  const inverseLabel = body ? optionalString(body, 'inverseLabel') : undefined;
  if (!body || typeof label !== 'string' || label.trim() === '' || typeof name !== 'string' || name.trim() === '') {
    return { status: 400, body: validationError('Invalid input JSON: Some required fields were not set: [label, name]') };
  }
  if (inverseLabel === null) return { status: 400, body: validationError('Invalid input JSON: inverseLabel must be a string') };
  const outcome = ctx.portal.labels.define(from, to, label, { name, ...(inverseLabel !== undefined ? { inverseLabel } : {}) });
  if (!outcome.ok) return { status: 409, body: errorBody(outcome.message, 'CONFLICT') };
  const results = [outcome.forward, ...(outcome.reverse ? [outcome.reverse] : [])].map((d) => ({ category: d.category, typeId: d.typeId, label: d.label }));
  return { status: 200, body: { results } };
}

/**
 * `PUT /crm/associations/{2026-03|v4}/{from}/{to}/labels` with `{associationTypeId, label, inverseLabel?}` → 204:
 * renames one of the portal's USER_DEFINED labels; HubSpot-defined or unknown type ids → 400.
 */
export function updateLabel(ctx: ApiContext, from: CrmObjectType, to: CrmObjectType): ApiResult {
  const body = isJsonObject(ctx.body) ? ctx.body : undefined;
  const label = body ? optionalString(body, 'label') : undefined;
  const inverseLabel = body ? optionalString(body, 'inverseLabel') : undefined;
  const typeId = body ? Number(body.associationTypeId) : NaN;
  if (!body || !Number.isInteger(typeId) || typeof label !== 'string' || label.trim() === '' || inverseLabel === null) {
    return { status: 400, body: validationError('Invalid input JSON: Some required fields were not set: [associationTypeId, label]') };
  }
  if (!ctx.portal.labels.update(from, to, typeId, label, inverseLabel)) {
    return { status: 400, body: validationError(`${typeId} is not a USER_DEFINED association type id from ${from} to ${to}`) };
  }
  return { status: 204 };
}
