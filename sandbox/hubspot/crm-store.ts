import type { CrmObjectType, PublicObject, StoredAssociation, StoredObject } from './hubspot.types';
import { objectTypeInfo } from './object-types.registry';
import { defaultAssociationType, findAssociationType, type AssociationTypeDef } from './association-types.registry';
import { formatInstant } from './instant-format.util';
import type { StageFacts } from './pipeline-registry';

/** A deal's stage in the portal's pipelines (DealPipelines.stage); undefined when no pipeline lists it. */
export type StageLookup = (pipelineId: string | undefined, stageId: string | undefined) => StageFacts | undefined;

export interface PropertyChange {
  name: string;
  oldValue: string | undefined;
  newValue: string;
}

/** Hands out object ids; shared by every portal of a sandbox so ids never repeat across portals. */
export class IdSequence {
  constructor(private next = 10_001) {}

  take(): string {
    const id = String(this.next);
    this.next += 1;
    return id;
  }

  /** Keeps later ids above an explicitly chosen numeric id. */
  bump(id: string): void {
    const n = Number(id);
    if (Number.isInteger(n) && n >= this.next) this.next = n + 1;
  }
}

/** The CRM records and associations of one portal. */
export class CrmStore {
  private readonly objects = new Map<CrmObjectType, Map<string, StoredObject>>();
  private readonly associations = new Map<string, StoredAssociation[]>();

  constructor(
    private readonly ids: IdSequence,
    private readonly stages: StageLookup,
  ) {}

  create(type: CrmObjectType, values: Record<string, string>, now: number, id?: string): StoredObject {
    const info = objectTypeInfo(type);
    const objectId = id ?? this.ids.take();
    if (id !== undefined) this.ids.bump(id);
    const properties: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) if (value !== '') properties[name] = value;
    properties.hs_object_id = objectId;
    properties[info.createdProperty] ??= formatInstant(now);
    properties[info.modifiedProperty] = formatInstant(now);
    if (type === 'contacts' && properties.email) properties.hs_email_domain = properties.email.split('@')[1] ?? '';
    if (type === 'deals') {
      properties.num_associated_contacts ??= '0';
      stageCalculated(properties, now, this.stages, true);
    }
    const created = Date.parse(properties[info.createdProperty] ?? '') || now;
    const object: StoredObject = { id: objectId, type, properties, createdAt: created, updatedAt: now, archived: false, archivedAt: null };
    this.bucket(type).set(objectId, object);
    return object;
  }

  /** Applies values; an empty string clears a property. Returns the properties whose value changed. */
  update(object: StoredObject, values: Record<string, string>, now: number): PropertyChange[] {
    const info = objectTypeInfo(object.type);
    const changes: PropertyChange[] = [];
    for (const [name, value] of Object.entries(values)) {
      const oldValue = object.properties[name];
      if ((oldValue ?? '') === value) continue;
      if (value === '') delete object.properties[name];
      else object.properties[name] = value;
      changes.push({ name, oldValue, newValue: value });
    }
    if (object.type === 'contacts' && changes.some((c) => c.name === 'email')) {
      const email = object.properties.email;
      if (email) object.properties.hs_email_domain = email.split('@')[1] ?? '';
      else delete object.properties.hs_email_domain;
    }
    if (object.type === 'deals') {
      if (changes.some((c) => c.name === 'dealstage')) delete object.properties.hs_v2_date_entered_current_stage;
      stageCalculated(object.properties, now, this.stages, changes.some((c) => c.name === 'dealstage' || c.name === 'pipeline'));
    }
    if (changes.length > 0) {
      object.updatedAt = now;
      object.properties[info.modifiedProperty] = formatInstant(now);
    }
    return changes;
  }

  get(type: CrmObjectType, id: string, includeArchived = false): StoredObject | undefined {
    const object = this.bucket(type).get(id);
    if (!object) return undefined;
    return object.archived && !includeArchived ? undefined : object;
  }

  /** Looks a record up by a property value (`idProperty`); emails compare case-insensitively. */
  findByProperty(type: CrmObjectType, property: string, value: string, includeArchived = false): StoredObject | undefined {
    const wanted = property === 'email' ? value.toLowerCase() : value;
    for (const object of this.bucket(type).values()) {
      if (object.archived && !includeArchived) continue;
      const actual = object.properties[property];
      if (actual === undefined) continue;
      if ((property === 'email' ? actual.toLowerCase() : actual) === wanted) return object;
    }
    return undefined;
  }

  archive(object: StoredObject, now: number): void {
    object.archived = true;
    object.archivedAt = now;
  }

  list(type: CrmObjectType, includeArchived = false): StoredObject[] {
    return [...this.bucket(type).values()]
      .filter((o) => includeArchived || !o.archived)
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  /**
   * Stores an association and its reverse side (as HubSpot does). Idempotent. Also as in HubSpot: a labeled
   * association (`Primary`, or a portal's USER_DEFINED label) comes with the unlabeled (default) one, and a new
   * `Primary` company of a contact, deal or ticket takes the label from its previous primary company, which stays
   * associated unlabeled. `reverseTypeId`: the other direction's id of a USER_DEFINED type (default `typeId`);
   * HubSpot-defined ones are looked up.
   */
  associate(
    fromType: CrmObjectType,
    fromId: string,
    toType: CrmObjectType,
    toId: string,
    typeId: number,
    category: StoredAssociation['category'],
    reverseTypeId?: number,
  ): void {
    const def = category === 'HUBSPOT_DEFINED' ? findAssociationType(fromType, toType, typeId) : undefined;
    if (def?.singleSide) this.dropOtherPrimary(def, fromId, toId);
    this.addPair(fromType, fromId, toType, toId, typeId, def ? def.reverseTypeId : (reverseTypeId ?? typeId), category);
    if ((def && !def.isDefault) || category === 'USER_DEFINED') {
      const unlabeled = defaultAssociationType(fromType, toType);
      if (unlabeled) this.addPair(fromType, fromId, toType, toId, unlabeled.typeId, unlabeled.reverseTypeId, 'HUBSPOT_DEFINED');
    }
    this.refreshCounts(fromType, fromId, toType, toId);
  }

  /** Removes every association between two records (both sides). */
  dissociate(fromType: CrmObjectType, fromId: string, toType: CrmObjectType, toId: string): void {
    const strip = (type: CrmObjectType, id: string, otherType: CrmObjectType, otherId: string): void => {
      const key = assocKey(type, id);
      const list = this.associations.get(key) ?? [];
      this.associations.set(key, list.filter((a) => !(a.toType === otherType && a.toId === otherId)));
    };
    strip(fromType, fromId, toType, toId);
    strip(toType, toId, fromType, fromId);
    this.refreshCounts(fromType, fromId, toType, toId);
  }

  associationsOf(type: CrmObjectType, id: string, toType?: CrmObjectType): StoredAssociation[] {
    const list = this.associations.get(assocKey(type, id)) ?? [];
    return toType ? list.filter((a) => a.toType === toType) : [...list];
  }

  private addPair(
    fromType: CrmObjectType,
    fromId: string,
    toType: CrmObjectType,
    toId: string,
    typeId: number,
    reverseTypeId: number,
    category: StoredAssociation['category'],
  ): void {
    this.addOne(fromType, fromId, { toType, toId, typeId, category });
    this.addOne(toType, toId, { toType: fromType, toId: fromId, typeId: reverseTypeId, category });
  }

  /** Removes the `Primary` label (both directions) between the single side of `def` and any other record. */
  private dropOtherPrimary(def: AssociationTypeDef, fromId: string, toId: string): void {
    const single = def.singleSide === 'from';
    const holderType = single ? def.from : def.to;
    const holderId = single ? fromId : toId;
    const otherType = single ? def.to : def.from;
    const keepId = single ? toId : fromId;
    const holderTypeId = single ? def.typeId : def.reverseTypeId;
    const otherTypeId = single ? def.reverseTypeId : def.typeId;
    for (const a of this.associationsOf(holderType, holderId, otherType)) {
      if (a.typeId !== holderTypeId || a.toId === keepId) continue;
      this.removeOne(holderType, holderId, otherType, a.toId, holderTypeId);
      this.removeOne(otherType, a.toId, holderType, holderId, otherTypeId);
    }
  }

  private removeOne(type: CrmObjectType, id: string, toType: CrmObjectType, toId: string, typeId: number): void {
    const key = assocKey(type, id);
    const list = this.associations.get(key) ?? [];
    this.associations.set(key, list.filter((a) => !(a.toType === toType && a.toId === toId && a.typeId === typeId)));
  }

  /** Keeps HubSpot's `num_associated_contacts` of deals in step with their contact associations. */
  private refreshCounts(aType: CrmObjectType, aId: string, bType: CrmObjectType, bId: string): void {
    const dealId = aType === 'deals' && bType === 'contacts' ? aId : aType === 'contacts' && bType === 'deals' ? bId : undefined;
    const deal = dealId === undefined ? undefined : this.bucket('deals').get(dealId);
    if (!deal || dealId === undefined) return;
    deal.properties.num_associated_contacts = String(new Set(this.associationsOf('deals', dealId, 'contacts').map((a) => a.toId)).size);
  }

  private addOne(type: CrmObjectType, id: string, assoc: StoredAssociation): void {
    const key = assocKey(type, id);
    const list = this.associations.get(key) ?? [];
    if (!list.some((a) => a.toType === assoc.toType && a.toId === assoc.toId && a.typeId === assoc.typeId && a.category === assoc.category)) list.push(assoc);
    this.associations.set(key, list);
  }

  private bucket(type: CrmObjectType): Map<string, StoredObject> {
    let map = this.objects.get(type);
    if (!map) {
      map = new Map();
      this.objects.set(type, map);
    }
    return map;
  }
}

function assocKey(type: CrmObjectType, id: string): string {
  return `${type}:${id}`;
}

/**
 * The object as the API returns it. `requested` null means "no properties asked for": the type's defaults.
 * Otherwise the requested ones (unset ones as null, unknown ones left out) plus those always returned.
 * `all` returns every stored property (create and update responses).
 */
export function toPublicObject(
  object: StoredObject,
  requested: string[] | null | 'all',
  isKnownProperty: (name: string) => boolean,
): PublicObject {
  const info = objectTypeInfo(object.type);
  const properties: Record<string, string | null> = {};
  if (requested === 'all') {
    for (const [name, value] of Object.entries(object.properties)) properties[name] = value;
  } else {
    const names = requested === null ? info.defaultProperties : [...new Set([...requested, ...info.alwaysProperties])];
    for (const name of names) {
      if (!isKnownProperty(name)) continue;
      properties[name] = object.properties[name] ?? null;
    }
  }
  const sorted: Record<string, string | null> = {};
  for (const name of Object.keys(properties).sort()) sorted[name] = properties[name] ?? null;
  const out: PublicObject = {
    id: object.id,
    properties: sorted,
    createdAt: formatInstant(object.createdAt),
    updatedAt: formatInstant(object.updatedAt),
    archived: object.archived,
  };
  if (object.archived && object.archivedAt !== null) out.archivedAt = formatInstant(object.archivedAt);
  return out;
}

/**
 * What HubSpot calculates from a deal's stage, from the portal's pipelines (the definitions the pipelines API
 * answers): `hs_is_closed` (the stage's `isClosed`), `hs_deal_stage_probability` (its `probability`, as a number:
 * "0.4" → 0.4, "1.0" → 1), and when the deal entered the stage (kept while the stage stays; a seed may set it to
 * model an older deal). Computed when the deal is created or its stage or pipeline changes: a deal whose stage was
 * deleted since keeps what it had. A stage no pipeline lists gives no probability and an open deal.
 */
function stageCalculated(properties: Record<string, string>, now: number, stages: StageLookup, stageChanged: boolean): void {
  const stage = properties.dealstage;
  if (stageChanged) {
    const facts = stages(properties.pipeline, stage);
    properties.hs_is_closed = facts?.isClosed ? 'true' : 'false';
    if (facts === undefined) delete properties.hs_deal_stage_probability;
    else properties.hs_deal_stage_probability = String(Number(facts.probability));
  }
  if (stage === undefined) delete properties.hs_v2_date_entered_current_stage;
  else properties.hs_v2_date_entered_current_stage ??= formatInstant(now);
}
