import { CAPABILITY_REQUIREMENTS, type CapabilityName, type CapabilityProperty, type CrmObjectType } from '@app/common';

/**
 * What the property bootstrap decides from HubSpot's listing of a portal's properties:
 * create, leave alone, add options, or report a conflict. Pure; the HTTP calls are the
 * service's. The platform's properties are never overwritten: a same-named property of
 * another type is reported, and an enumeration only ever gains options.
 */

/** A property as HubSpot lists it: only what the bootstrap reads. */
export interface ListedProperty {
  name: string;
  type: string;
  fieldType: string;
  options: ListedOption[];
  /** HubSpot computes its value (a calculated or read-only property): nothing can be written into it. */
  readOnlyValue: boolean;
}

export interface ListedOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
  description?: string;
}

/** One object type's properties and groups as HubSpot listed them. */
export interface PropertyListing {
  properties: ListedProperty[];
  groupNames: string[];
}

export type WantedProperty = CapabilityProperty & { groupName: string };

/** What the capabilities need in one object type. */
export interface ObjectTypeWants {
  objectType: CrmObjectType;
  groups: Array<{ name: string; label: string }>;
  properties: WantedProperty[];
}

export type PropertyVerdict =
  | { kind: 'create' }
  | { kind: 'present'; detail?: string }
  | { kind: 'conflicting'; detail: string }
  /** `options`: the full list to send (HubSpot replaces the list): the existing ones as they are, then ours. */
  | { kind: 'add-options'; options: ListedOption[]; added: string[] };

export interface ObjectTypePlan {
  objectType: CrmObjectType;
  /** `needed`: a property is to be created in it (a missing group nothing goes into is left missing). */
  groups: Array<{ name: string; label: string; listed: boolean; needed: boolean }>;
  properties: Array<{ property: WantedProperty; verdict: PropertyVerdict }>;
}

/** The capabilities' groups and properties by object type, each property once (the first capability naming it wins). */
export function wantedByObjectType(capabilities: readonly CapabilityName[]): ObjectTypeWants[] {
  const byType = new Map<CrmObjectType, ObjectTypeWants>();
  for (const capability of new Set(capabilities)) {
    const { propertyGroup, properties } = CAPABILITY_REQUIREMENTS[capability];
    for (const property of properties) {
      const wants = byType.get(property.objectType) ?? { objectType: property.objectType, groups: [], properties: [] };
      byType.set(property.objectType, wants);
      if (!wants.groups.some((g) => g.name === propertyGroup.name)) wants.groups.push({ ...propertyGroup });
      if (!wants.properties.some((p) => p.name === property.name)) wants.properties.push({ ...property, groupName: propertyGroup.name });
    }
  }
  return [...byType.values()];
}

/** What to do in one object type, given what HubSpot lists there. */
export function planObjectType(wants: ObjectTypeWants, listing: PropertyListing): ObjectTypePlan {
  const properties = wants.properties.map((property) => ({ property, verdict: judgeProperty(property, listing.properties.find((p) => p.name === property.name)) }));
  const groups = wants.groups.map((group) => ({
    ...group,
    listed: listing.groupNames.includes(group.name),
    // Properties the portal's admin moved to another group do not bring back an empty group of ours.
    needed: properties.some((p) => p.verdict.kind === 'create' && p.property.groupName === group.name),
  }));
  return { objectType: wants.objectType, groups, properties };
}

/**
 * A listed property is "the right type" when its HubSpot `type` is ours: the type decides
 * which values HubSpot accepts, the field type only how they are shown (a `text` summary
 * takes what a `textarea` one does), so another field type is noted, not a conflict.
 */
export function judgeProperty(wanted: CapabilityProperty, existing: ListedProperty | undefined): PropertyVerdict {
  if (!existing) return { kind: 'create' };
  const where = `${wanted.objectType} property ${wanted.name}`;
  const fix = 'it was left unchanged: rename or delete it in HubSpot (Settings > Properties), then run the bootstrap again';
  if (existing.type !== wanted.type) {
    return { kind: 'conflicting', detail: `${where} exists as ${existing.type} (${existing.fieldType}) but the platform writes ${wanted.type} (${wanted.fieldType}) values; ${fix}` };
  }
  if (existing.readOnlyValue) return { kind: 'conflicting', detail: `${where} exists but HubSpot computes its value (calculated or read-only), so the platform cannot write it; ${fix}` };
  if (wanted.type === 'enumeration') {
    const missing = wanted.options.filter((o) => !existing.options.some((e) => e.value === o.value));
    if (missing.length > 0) {
      const next = Math.max(-1, ...existing.options.map((o) => o.displayOrder)) + 1;
      const added = missing.map((o, i) => ({ label: o.label, value: o.value, displayOrder: next + i, hidden: false }));
      return { kind: 'add-options', options: [...existing.options, ...added], added: added.map((o) => o.value) };
    }
  }
  if (existing.fieldType !== wanted.fieldType) return { kind: 'present', detail: `shown as ${existing.fieldType} rather than ${wanted.fieldType}; the values written are the same` };
  return { kind: 'present' };
}

/** `POST /crm/properties/{objectType}`: HubSpot's required fields, and the options enumerations and booleans need. */
export function createPropertyBody(property: WantedProperty): Record<string, unknown> {
  const base = { name: property.name, label: property.label, description: property.description, groupName: property.groupName, type: property.type, fieldType: property.fieldType };
  switch (property.type) {
    case 'enumeration':
      return { ...base, options: property.options.map((o, displayOrder) => ({ label: o.label, value: o.value, displayOrder, hidden: false })) };
    case 'bool':
      return { ...base, options: [{ label: 'Yes', value: 'true', displayOrder: 0, hidden: false }, { label: 'No', value: 'false', displayOrder: 1, hidden: false }] };
    // A number's 0–100 range is the model answer's validation: HubSpot enforces ranges only through its Property Validations API.
    case 'number':
    case 'string':
      return base;
  }
}

export function createGroupBody(group: { name: string; label: string }): Record<string, unknown> {
  return { name: group.name, label: group.label };
}
