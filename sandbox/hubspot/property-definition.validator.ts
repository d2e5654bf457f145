import type { PropertyDataType, PropertyOption } from './default-properties.catalog';
import { isJsonObject, type JsonObject } from '../shared/http-io.util';

/**
 * Checks property definitions as `POST /crm/properties/2026-03/{objectType}` and `PATCH .../{propertyName}` take
 * them (spec: `PropertyCreate`, `PropertyUpdate`, `OptionInput`). The type/fieldType pairs are the ones HubSpot's
 * property guide documents; option rules follow `OptionInput` (label and value required) and the guide's boolean
 * properties (`bool` with `booleancheckbox` and the options `true` and `false`). Messages are the sandbox's own,
 * in HubSpot's style (unverified).
 */

export const DATA_TYPES: readonly PropertyDataType[] = ['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number'];

/** The field types each data type may use. */
export const FIELD_TYPES_BY_TYPE: Readonly<Record<PropertyDataType, readonly string[]>> = {
  string: ['text', 'textarea', 'html', 'file'],
  number: ['number'],
  date: ['date'],
  datetime: ['date'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox'],
  bool: ['booleancheckbox'],
  phone_number: ['phonenumber'],
};

const ALL_FIELD_TYPES = ['booleancheckbox', 'calculation_equation', 'checkbox', 'date', 'file', 'html', 'number', 'phonenumber', 'radio', 'select', 'text', 'textarea'];

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const fail = <T>(message: string): Checked<T> => ({ ok: false, message });

/** `type` and `fieldType` each valid and used together as HubSpot allows. */
export function checkTypes(dataType: string, fieldType: string): Checked<PropertyDataType> {
  if (!DATA_TYPES.includes(dataType as PropertyDataType)) return fail(`${dataType} is not a valid property type (one of ${DATA_TYPES.join(', ')})`);
  if (!ALL_FIELD_TYPES.includes(fieldType)) return fail(`${fieldType} is not a valid field type (one of ${ALL_FIELD_TYPES.join(', ')})`);
  const allowed = FIELD_TYPES_BY_TYPE[dataType as PropertyDataType];
  if (!allowed.includes(fieldType)) return fail(`fieldType ${fieldType} cannot be used with type ${dataType}: use ${allowed.join(' or ')}`);
  return { ok: true, value: dataType as PropertyDataType };
}

/**
 * The options a definition needs: an enumeration needs at least one option (unless `externalOptions`, e.g. an
 * owner property), each with a non-empty `label` and `value`, values unique; a `booleancheckbox` needs exactly the
 * values `true` and `false`; other types take no options.
 */
export function checkOptions(dataType: PropertyDataType, fieldType: string, raw: unknown, externalOptions: boolean): Checked<PropertyOption[]> {
  if (raw !== undefined && !Array.isArray(raw)) return fail('options must be an array');
  const list = (raw ?? []) as unknown[];
  const options: PropertyOption[] = [];
  for (const [index, entry] of list.entries()) {
    if (!isJsonObject(entry)) return fail(`options[${index}] must be an object with label and value`);
    const o: JsonObject = entry;
    if (typeof o.label !== 'string' || o.label === '' || typeof o.value !== 'string' || o.value === '') {
      return fail(`options[${index}]: label and value are required (non-empty strings)`);
    }
    options.push({
      label: o.label,
      value: o.value,
      hidden: o.hidden === true,
      displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : index,
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
    });
  }
  const values = options.map((o) => o.value);
  const duplicate = values.find((v, i) => values.indexOf(v) !== i);
  if (duplicate !== undefined) return fail(`Option values must be unique: ${duplicate} appears more than once`);
  if (fieldType === 'booleancheckbox') {
    if (values.length !== 2 || !values.includes('true') || !values.includes('false')) {
      return fail('A booleancheckbox property needs exactly two options, with the values true and false');
    }
    return { ok: true, value: options };
  }
  if (dataType === 'enumeration') {
    if (options.length === 0 && !externalOptions) return fail('Enumeration properties must have at least one option (with label and value)');
    return { ok: true, value: options };
  }
  if (options.length > 0) return fail(`Properties of type ${dataType} take no options`);
  return { ok: true, value: [] };
}
