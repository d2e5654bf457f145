import type { CrmObjectType } from './hubspot.types';
import {
  defaultPropertyDefinitions,
  defaultPropertyGroups,
  type PropertyDefinition,
  type PropertyGroup,
  type PropertyOption,
} from './default-properties.catalog';
import type { PropertyValueError } from './hubspot-errors.factory';
import { formatInstant, parseInstant } from './instant-format.util';
import { isJsonObject } from '../shared/http-io.util';
import { OBJECT_TYPES } from './object-types.registry';
import { checkOptions, checkTypes } from './property-definition.validator';

const MAX_STRING_LENGTH = 65_536;
const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

export type PropertyInputValue = string | number | boolean | null;

export interface ValidatedValues {
  values: Record<string, string>;
  errors: PropertyValueError[];
}

export type CreatePropertyResult =
  | { ok: true; property: PropertyDefinition }
  | { ok: false; status: 400 | 404 | 409; message: string; category: string };

/** The fields `PATCH /crm/properties/{version}/{objectType}/{propertyName}` takes (spec: PropertyUpdate); the display hints are accepted and not kept. */
const UPDATABLE = ['label', 'description', 'groupName', 'type', 'fieldType', 'options', 'displayOrder', 'hidden', 'formField'] as const;
const ACCEPTED_NOT_KEPT = ['calculationFormula', 'currencyPropertyName', 'numberDisplayHint', 'showCurrencySymbol', 'textDisplayHint'];

/** The property registry of one portal: HubSpot's defaults per object type plus those created through the API. */
export class PropertyRegistry {
  private readonly props = new Map<CrmObjectType, Map<string, PropertyDefinition>>();
  private readonly groups = new Map<CrmObjectType, Map<string, PropertyGroup>>();

  constructor(private readonly now: () => number) {
    for (const type of OBJECT_TYPES) {
      this.props.set(type, new Map(defaultPropertyDefinitions(type, now()).map((p) => [p.name, p])));
      this.groups.set(type, new Map(defaultPropertyGroups(type).map((g) => [g.name, g])));
    }
  }

  list(type: CrmObjectType): PropertyDefinition[] {
    return [...this.propsOf(type).values()];
  }

  get(type: CrmObjectType, name: string): PropertyDefinition | undefined {
    return this.propsOf(type).get(name);
  }

  listGroups(type: CrmObjectType): PropertyGroup[] {
    return [...this.groupsOf(type).values()];
  }

  createGroup(type: CrmObjectType, input: unknown): { ok: true; group: PropertyGroup } | { ok: false; status: 400 | 409; message: string } {
    if (!isJsonObject(input) || typeof input.name !== 'string' || typeof input.label !== 'string') {
      return { ok: false, status: 400, message: 'Invalid input JSON: Some required fields were not set: [name, label]' };
    }
    if (this.groupsOf(type).has(input.name)) {
      return { ok: false, status: 409, message: `A property group named '${input.name}' already exists.` };
    }
    const group: PropertyGroup = {
      name: input.name,
      label: input.label,
      displayOrder: typeof input.displayOrder === 'number' ? input.displayOrder : -1,
      archived: false,
    };
    this.groupsOf(type).set(group.name, group);
    return { ok: true, group };
  }

  /**
   * Validates like `POST /crm/v3/properties/{objectType}`: name, label, type, fieldType and groupName are required,
   * the group must exist, type and fieldType must go together, options as `checkOptions` says; a property of the
   * same name → 409.
   */
  create(type: CrmObjectType, input: unknown): CreatePropertyResult {
    if (!isJsonObject(input)) return invalid('Invalid input JSON: expected an object');
    const required = ['name', 'label', 'type', 'fieldType', 'groupName'];
    const missing = required.filter((key) => typeof input[key] !== 'string' || input[key] === '');
    if (missing.length > 0) return invalid(`Invalid input JSON: Some required fields were not set: [${missing.join(', ')}]`);
    const name = input.name as string;
    const fieldType = input.fieldType as string;
    const groupName = input.groupName as string;
    if (!NAME_PATTERN.test(name)) return invalid(`Property name '${name}' is invalid: use lower-case letters, digits and underscores`);
    const types = checkTypes(input.type as string, fieldType);
    if (!types.ok) return invalid(types.message);
    if (!this.groupsOf(type).has(groupName)) return invalid(`Property group ${groupName} does not exist`);
    if (this.propsOf(type).has(name)) {
      return { ok: false, status: 409, message: `Property named '${name}' already exists.`, category: 'CONFLICT' };
    }
    const options = checkOptions(types.value, fieldType, input.options, input.externalOptions === true);
    if (!options.ok) return invalid(options.message);
    const at = this.now();
    const property: PropertyDefinition = {
      name,
      label: input.label as string,
      type: types.value,
      fieldType,
      groupName,
      description: typeof input.description === 'string' ? input.description : '',
      options: options.value,
      displayOrder: typeof input.displayOrder === 'number' ? input.displayOrder : -1,
      calculated: false,
      externalOptions: input.externalOptions === true,
      hasUniqueValue: input.hasUniqueValue === true,
      hidden: input.hidden === true,
      hubspotDefined: false,
      formField: input.formField === true,
      readOnlyValue: false,
      createdAt: at,
      updatedAt: at,
    };
    this.propsOf(type).set(name, property);
    return { ok: true, property };
  }

  /**
   * Updates like `PATCH /crm/v3/properties/{objectType}/{propertyName}` (PropertyUpdate): the result is checked as a
   * creation is. Refused (400): HubSpot-defined properties (their definition is read-only), and a change of `type`
   * while records hold values of the property (`hasValues`; the sandbox's choice: HubSpot's rules for converting
   * existing values are not documented).
   */
  update(type: CrmObjectType, name: string, input: unknown, hasValues: boolean): CreatePropertyResult {
    const current = this.propsOf(type).get(name);
    if (!current) return { ok: false, status: 404, message: `Unable to find property ${name} on object type ${type}`, category: 'OBJECT_NOT_FOUND' };
    if (!isJsonObject(input)) return invalid('Invalid input JSON: expected an object');
    if (current.hubspotDefined) return invalid(`Property ${name} is defined by HubSpot; its definition is read-only`);
    const unknown = Object.keys(input).filter((k) => !(UPDATABLE as readonly string[]).includes(k) && !ACCEPTED_NOT_KEPT.includes(k));
    if (unknown.length > 0) return invalid(`Invalid input JSON: these fields cannot be updated: [${unknown.join(', ')}]`);
    const stringField = UPDATABLE.find((k) => ['label', 'groupName', 'type', 'fieldType'].includes(k) && k in input && (typeof input[k] !== 'string' || input[k] === ''));
    if (stringField) return invalid(`Invalid input JSON: ${stringField} must be a non-empty string`);
    const dataType = (input.type as string | undefined) ?? current.type;
    const fieldType = (input.fieldType as string | undefined) ?? current.fieldType;
    const types = checkTypes(dataType, fieldType);
    if (!types.ok) return invalid(types.message);
    if (types.value !== current.type && hasValues) {
      return invalid(`Cannot change the type of property ${name} from ${current.type} to ${types.value}: records have values for it`);
    }
    const groupName = (input.groupName as string | undefined) ?? current.groupName;
    if (!this.groupsOf(type).has(groupName)) return invalid(`Property group ${groupName} does not exist`);
    const options = checkOptions(types.value, fieldType, 'options' in input ? input.options : current.options, current.externalOptions);
    if (!options.ok) return invalid(options.message);
    const updated: PropertyDefinition = {
      ...current,
      label: (input.label as string | undefined) ?? current.label,
      type: types.value,
      fieldType,
      groupName,
      options: options.value,
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
      ...(typeof input.displayOrder === 'number' ? { displayOrder: input.displayOrder } : {}),
      ...(typeof input.hidden === 'boolean' ? { hidden: input.hidden } : {}),
      ...(typeof input.formField === 'boolean' ? { formField: input.formField } : {}),
      updatedAt: this.now(),
    };
    this.propsOf(type).set(name, updated);
    return { ok: true, property: updated };
  }

  /**
   * Sets the options of a HubSpot-defined enumeration whose options HubSpot derives from other settings (the
   * `pipeline` and `dealstage` options from the deal pipelines), which the API cannot change.
   */
  setDerivedOptions(type: CrmObjectType, name: string, options: PropertyOption[]): void {
    const current = this.propsOf(type).get(name);
    if (!current?.hubspotDefined || current.type !== 'enumeration') throw new Error(`${type}.${name} is not a HubSpot-defined enumeration`);
    this.propsOf(type).set(name, { ...current, options: options.map((o) => ({ ...o })), updatedAt: this.now() });
  }

  /**
   * Checks values written through the API (create, update, batch). Returns the normalized string values and one
   * error per invalid property, as HubSpot lists every invalid property of a request.
   */
  validateValues(type: CrmObjectType, input: Record<string, unknown>, portalId: number): ValidatedValues {
    const values: Record<string, string> = {};
    const errors: PropertyValueError[] = [];
    for (const [name, raw] of Object.entries(input)) {
      const def = this.get(type, name);
      if (!def) {
        const message = `Property "${name}" does not exist`;
        errors.push({ isValid: false, message, error: 'PROPERTY_DOESNT_EXIST', name, localizedErrorMessage: message, portalId });
        continue;
      }
      if (def.readOnlyValue) {
        const message = `"${name}" is a calculated property; its value cannot be set.`;
        errors.push({ isValid: false, message, error: 'READ_ONLY_VALUE', name, localizedErrorMessage: message, portalId });
        continue;
      }
      const checked = normalizeValue(def, raw);
      if (typeof checked === 'string') values[name] = checked;
      else errors.push({ isValid: false, ...checked, name, localizedErrorMessage: checked.message, portalId });
    }
    return { values, errors };
  }

  private propsOf(type: CrmObjectType): Map<string, PropertyDefinition> {
    const map = this.props.get(type);
    if (!map) throw new Error(`unknown object type ${type}`);
    return map;
  }

  private groupsOf(type: CrmObjectType): Map<string, PropertyGroup> {
    const map = this.groups.get(type);
    if (!map) throw new Error(`unknown object type ${type}`);
    return map;
  }
}

function invalid(message: string): CreatePropertyResult {
  return { ok: false, status: 400, message, category: 'VALIDATION_ERROR' };
}

/** Normalizes one value to the string HubSpot stores, or describes why it is invalid. */
export function normalizeValue(def: PropertyDefinition, raw: unknown): string | { message: string; error: string } {
  if (raw === null || raw === undefined || raw === '') return '';
  if (typeof raw === 'object') return { message: `${JSON.stringify(raw)} is not a valid property value`, error: 'INVALID_TYPE' };
  const text = String(raw);
  switch (def.type) {
    case 'number':
      return /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)
        ? text.trim()
        : { message: `${text} was not a valid number.`, error: 'INVALID_DOUBLE' };
    case 'bool': {
      const lower = text.toLowerCase();
      return lower === 'true' || lower === 'false' ? lower : { message: `${text} was not a valid boolean.`, error: 'INVALID_BOOLEAN' };
    }
    case 'datetime': {
      const ms = parseInstant(text);
      return ms === undefined ? { message: `${text} was not a valid long.`, error: 'INVALID_LONG' } : formatInstant(ms);
    }
    case 'date': {
      const ms = parseInstant(text);
      if (ms === undefined) return { message: `${text} was not a valid long.`, error: 'INVALID_LONG' };
      if (ms % 86_400_000 !== 0) return { message: `${text} is not at midnight UTC.`, error: 'INVALID_DATE' };
      return new Date(ms).toISOString().slice(0, 10);
    }
    case 'enumeration': {
      if (def.externalOptions || def.options.length === 0) return text;
      const allowed = new Set(def.options.map((o) => o.value));
      const parts = def.fieldType === 'checkbox' ? text.split(';') : [text];
      const bad = parts.find((p) => !allowed.has(p));
      if (bad === undefined) return text;
      const listed = def.options
        .map((o) => `label: "${o.label}"\nvalue: "${o.value}"\ndisplay_order: ${o.displayOrder}\nhidden: ${o.hidden}\nread_only: false\n`)
        .join(', ');
      return { message: `${bad} was not one of the allowed options: [${listed}]`, error: 'INVALID_OPTION' };
    }
    default:
      if (text.length > MAX_STRING_LENGTH) {
        return { message: `Value for ${def.name} is longer than ${MAX_STRING_LENGTH} characters`, error: 'INVALID_STRING_LENGTH' };
      }
      if (def.name === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
        return { message: `Email address ${text} is invalid`, error: 'INVALID_EMAIL' };
      }
      return text;
  }
}

/** The property definition as `GET /crm/v3/properties/{objectType}/{name}` returns it. */
export function publicProperty(def: PropertyDefinition): Record<string, unknown> {
  return {
    updatedAt: formatInstant(def.updatedAt),
    createdAt: formatInstant(def.createdAt),
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    description: def.description,
    groupName: def.groupName,
    options: def.options,
    displayOrder: def.displayOrder,
    calculated: def.calculated,
    externalOptions: def.externalOptions,
    hasUniqueValue: def.hasUniqueValue,
    hidden: def.hidden,
    hubspotDefined: def.hubspotDefined,
    modificationMetadata: { archivable: !def.hubspotDefined, readOnlyDefinition: def.hubspotDefined, readOnlyValue: def.readOnlyValue },
    formField: def.formField,
    archived: false,
  };
}
