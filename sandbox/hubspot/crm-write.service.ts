import type { ApiContext } from './crm-api.types';
import type { CrmObjectType, StoredObject } from './hubspot.types';
import { isJsonObject } from '../shared/http-io.util';
import { objectTypeInfo, OBJECT_TYPES } from './object-types.registry';
import { findAssociationType, type AssociationTypeDef } from './association-types.registry';
import {
  conflict,
  errorBody,
  propertyValuesInvalid,
  requiredPropertiesMissing,
  validationError,
  type HubSpotErrorBody,
} from './hubspot-errors.factory';
import { ownerValueErrors } from './owner-handlers';

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; body: HubSpotErrorBody };

export interface ParsedAssociation {
  toType: CrmObjectType;
  toId: string;
  typeId: number;
  category: 'HUBSPOT_DEFINED' | 'USER_DEFINED';
  /** The other direction's type id of a USER_DEFINED type. */
  reverseTypeId?: number;
}

export interface PreparedCreate {
  values: Record<string, string>;
  associations: ParsedAssociation[];
  objectWriteTraceId?: string;
}

function fail<T>(status: number, body: HubSpotErrorBody): Outcome<T> {
  return { ok: false, status, body };
}

/** The `properties` object of an input (missing means empty). */
function propertiesOf(input: Record<string, unknown>): Outcome<Record<string, unknown>> {
  const props = input.properties ?? {};
  if (!isJsonObject(props)) return fail(400, validationError('Invalid input JSON: properties must be an object'));
  return { ok: true, value: props };
}

/**
 * Checks one create input: property values, required properties, the unique email of contacts and the inline
 * associations. `reservedEmails` holds emails taken earlier in the same batch.
 */
export function prepareCreate(ctx: ApiContext, type: CrmObjectType, input: unknown, reservedEmails?: Set<string>): Outcome<PreparedCreate> {
  if (!isJsonObject(input)) return fail(400, validationError('Invalid input JSON: expected an object'));
  const props = propertiesOf(input);
  if (!props.ok) return props;
  const { values, errors } = ctx.portal.registry.validateValues(type, props.value, ctx.portal.info.portalId);
  // hubspot_owner_id must name an active owner, only checked once the portal has owners (see ownerValueErrors).
  errors.push(...ownerValueErrors(ctx.portal, values));
  if (errors.length > 0) return fail(400, propertyValuesInvalid(errors));
  const info = objectTypeInfo(type);
  const missing = info.requiredOnCreate.filter((name) => !values[name]);
  if (missing.length > 0) return fail(400, requiredPropertiesMissing(info.upper, missing));
  if (type === 'contacts' && values.email) {
    const existing = ctx.portal.store.findByProperty('contacts', 'email', values.email);
    const key = values.email.toLowerCase();
    if (existing) return fail(409, conflict(`Contact already exists. Existing ID: ${existing.id}`));
    if (reservedEmails?.has(key)) return fail(409, conflict('Contact already exists. Existing ID: (created in the same batch)'));
    reservedEmails?.add(key);
  }
  const associations = parseAssociations(ctx, type, input.associations);
  if (!associations.ok) return associations;
  const prepared: PreparedCreate = { values, associations: associations.value };
  if (typeof input.objectWriteTraceId === 'string') prepared.objectWriteTraceId = input.objectWriteTraceId;
  return { ok: true, value: prepared };
}

function parseAssociations(ctx: ApiContext, type: CrmObjectType, raw: unknown): Outcome<ParsedAssociation[]> {
  if (raw === undefined || raw === null) return { ok: true, value: [] };
  if (!Array.isArray(raw)) return fail(400, validationError('Invalid input JSON: associations must be an array'));
  const fromInfo = objectTypeInfo(type);
  const out: ParsedAssociation[] = [];
  for (const entry of raw) {
    if (!isJsonObject(entry) || !isJsonObject(entry.to) || !Array.isArray(entry.types) || entry.types.length === 0) {
      return fail(400, validationError('Invalid input JSON: an association needs to.id and types'));
    }
    const toId = entry.to.id;
    if (typeof toId !== 'string' && typeof toId !== 'number') return fail(400, validationError('Invalid input JSON: association to.id is required'));
    for (const t of entry.types) {
      if (!isJsonObject(t)) return fail(400, validationError('Invalid input JSON: association type must be an object'));
      const category = t.associationCategory;
      const typeId = Number(t.associationTypeId);
      if (category !== 'HUBSPOT_DEFINED' && category !== 'USER_DEFINED' && category !== 'INTEGRATOR_DEFINED') {
        return fail(400, validationError(`Invalid input JSON: ${String(category)} is not a valid associationCategory`));
      }
      if (!Number.isInteger(typeId)) return fail(400, validationError('Invalid input JSON: associationTypeId must be an integer'));
      // USER_DEFINED ids are the portal's own labels (PortalAssociationLabels); no INTEGRATOR_DEFINED types exist.
      const missingType = fail<ParsedAssociation[]>(
        400,
        validationError(`association type id ${typeId} of category ${category} does not exist in portal ${ctx.portal.info.portalId}`),
      );
      if (category === 'INTEGRATOR_DEFINED') return missingType;
      let def: AssociationTypeDef | undefined;
      if (category === 'USER_DEFINED') {
        const label = ctx.portal.labels.byId(typeId);
        if (!label) return missingType;
        if (label.from !== type) {
          return fail(400, validationError(`invalid from object type ${fromInfo.typeId} for associations to be created. expected: ${objectTypeInfo(label.from).typeId}`));
        }
        def = label;
      } else {
        def = OBJECT_TYPES.map((to) => findAssociationType(type, to, typeId)).find((d) => d !== undefined);
      }
      if (!def) {
        const other = OBJECT_TYPES.flatMap((from) => OBJECT_TYPES.map((to) => findAssociationType(from, to, typeId))).find((d) => d !== undefined);
        if (other) {
          return fail(400, validationError(`invalid from object type ${fromInfo.typeId} for associations to be created. expected: ${objectTypeInfo(other.from).typeId}`));
        }
        return fail(400, validationError(`${typeId} is not a valid HUBSPOT_DEFINED association type id`));
      }
      const target = ctx.portal.store.get(def.to, String(toId));
      if (!target) {
        return fail(
          400,
          errorBody('One or more associations are invalid', 'VALIDATION_ERROR', {
            context: { INVALID_OBJECT_IDS: [String(toId)], objectType: [objectTypeInfo(def.to).typeId] },
          }),
        );
      }
      out.push({ toType: def.to, toId: String(toId), typeId, category, ...(category === 'USER_DEFINED' ? { reverseTypeId: def.reverseTypeId } : {}) });
    }
  }
  return { ok: true, value: out };
}

/** Engagements that count as activity on the records they are associated with. */
const ACTIVITY_TYPES: ReadonlySet<string> = new Set(['notes', 'tasks', 'calls', 'emails', 'meetings']);
/** The engagements that count as contacting the customer ("Last contacted"): not a note or a task. */
const CONTACT_TYPES: ReadonlySet<string> = new Set(['calls', 'emails', 'meetings']);

/**
 * As HubSpot does: logging an engagement on a record moves its "Last activity date"
 * (`notes_last_updated`), whoever logged it (an app's note included), and a call,
 * email or meeting also its "Last contacted" (`notes_last_contacted`). Calculated by
 * HubSpot, so no propertyChange webhook is sent for them.
 */
function logActivity(ctx: ApiContext, type: CrmObjectType, associations: readonly ParsedAssociation[], timestamp: string | undefined): void {
  if (!ACTIVITY_TYPES.has(type)) return;
  const at = timestamp && Number.isFinite(Date.parse(timestamp)) ? new Date(Math.min(Date.parse(timestamp), ctx.now)).toISOString() : new Date(ctx.now).toISOString();
  for (const a of associations) {
    const target = ctx.portal.store.get(a.toType, a.toId);
    if (!target) continue;
    const values: Record<string, string> = { notes_last_updated: later(target.properties.notes_last_updated, at) };
    if (CONTACT_TYPES.has(type)) values.notes_last_contacted = later(target.properties.notes_last_contacted, at);
    ctx.portal.store.update(target, values, ctx.now);
  }
}

function later(current: string | undefined, at: string): string {
  return current && Date.parse(current) > Date.parse(at) ? current : at;
}

/** Stores a prepared create, its associations, and emits the creation webhook change. */
export function commitCreate(ctx: ApiContext, type: CrmObjectType, prepared: PreparedCreate, id?: string): StoredObject {
  const store = ctx.portal.store;
  const object = store.create(type, prepared.values, ctx.now, id);
  for (const a of prepared.associations) store.associate(type, object.id, a.toType, a.toId, a.typeId, a.category, a.reverseTypeId);
  logActivity(ctx, type, prepared.associations, object.properties.hs_timestamp);
  ctx.emit({
    kind: 'creation',
    portalId: ctx.portal.info.portalId,
    objectType: type,
    objectId: object.id,
    occurredAt: ctx.now,
    changeSource: ctx.changeSource,
    ...(ctx.sourceId !== undefined ? { sourceId: ctx.sourceId } : {}),
    properties: Object.fromEntries(Object.entries(prepared.values).filter(([, v]) => v !== '')),
  });
  return object;
}

/** Checks the values of an update. */
export function prepareUpdate(ctx: ApiContext, object: StoredObject, input: unknown): Outcome<Record<string, string>> {
  if (!isJsonObject(input)) return fail(400, validationError('Invalid input JSON: expected an object'));
  const props = propertiesOf(input);
  if (!props.ok) return props;
  const { values, errors } = ctx.portal.registry.validateValues(object.type, props.value, ctx.portal.info.portalId);
  errors.push(...ownerValueErrors(ctx.portal, values));
  if (errors.length > 0) return fail(400, propertyValuesInvalid(errors));
  if (object.type === 'contacts' && values.email) {
    const existing = ctx.portal.store.findByProperty('contacts', 'email', values.email);
    if (existing && existing.id !== object.id) return fail(409, conflict(`Contact already exists. Existing ID: ${existing.id}`));
  }
  return { ok: true, value: values };
}

/** Applies an update and emits one propertyChange per changed property. */
export function commitUpdate(ctx: ApiContext, object: StoredObject, values: Record<string, string>): void {
  const changes = ctx.portal.store.update(object, values, ctx.now);
  for (const change of changes) {
    ctx.emit({
      kind: 'propertyChange',
      portalId: ctx.portal.info.portalId,
      objectType: object.type,
      objectId: object.id,
      occurredAt: ctx.now,
      changeSource: ctx.changeSource,
      ...(ctx.sourceId !== undefined ? { sourceId: ctx.sourceId } : {}),
      propertyName: change.name,
      propertyValue: change.newValue,
    });
  }
}

export function commitArchive(ctx: ApiContext, object: StoredObject): void {
  ctx.portal.store.archive(object, ctx.now);
  ctx.emit({
    kind: 'deletion',
    portalId: ctx.portal.info.portalId,
    objectType: object.type,
    objectId: object.id,
    occurredAt: ctx.now,
    changeSource: ctx.changeSource,
    ...(ctx.sourceId !== undefined ? { sourceId: ctx.sourceId } : {}),
  });
}

/** Resolves an object by id, or by a unique property when `idProperty` is given. */
export function resolveObject(ctx: ApiContext, type: CrmObjectType, id: string, idProperty: string | null, includeArchived = false): StoredObject | undefined {
  if (idProperty && idProperty !== 'hs_object_id') return ctx.portal.store.findByProperty(type, idProperty, id, includeArchived);
  return ctx.portal.store.get(type, id, includeArchived);
}
