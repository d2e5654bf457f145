/**
 * The JSON Schema subset that structured outputs compile into a grammar
 * (Anthropic's structured-outputs page): basic types, enum, const, anyOf, allOf,
 * $ref/$defs, required, default, a few string formats, `additionalProperties:
 * false` on every object and `minItems` of 0 or 1. Numeric bounds, string lengths
 * and other array bounds are not part of it.
 *
 * `toStructuredOutputSchema` turns an answer schema into that subset the way
 * Anthropic's SDK helpers do: each constraint the grammar cannot hold moves into
 * the property's description, where the model reads it, and our own validation
 * (class-validator, with one repair) still enforces it on the answer. Pure.
 */
type Schema = Record<string, unknown>;

const SUPPORTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);
/** Keywords the grammar cannot hold, moved into the description as `name: value`. */
const MOVED = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties'] as const;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toStructuredOutputSchema(schema: Schema): Schema {
  const out: Schema = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if ((MOVED as readonly string[]).includes(key)) {
      notes.push(`${key}: ${JSON.stringify(value)}`);
    } else if (key === 'minItems' && typeof value === 'number' && value > 1) {
      notes.push(`minItems: ${value}`);
      out.minItems = 1;
    } else if (key === 'format' && typeof value === 'string' && !SUPPORTED_FORMATS.has(value)) {
      notes.push(`format: ${value}`);
    } else if (key === 'properties' && isSchema(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? toStructuredOutputSchema(sub) : sub]));
    } else if ((key === 'items' || key === 'not') && isSchema(value)) {
      out[key] = toStructuredOutputSchema(value);
    } else if ((key === 'anyOf' || key === 'allOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key === 'oneOf' ? 'anyOf' : key] = value.map((sub) => (isSchema(sub) ? toStructuredOutputSchema(sub) : sub));
    } else if ((key === '$defs' || key === 'definitions') && isSchema(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? toStructuredOutputSchema(sub) : sub]));
    } else {
      out[key] = value;
    }
  }
  if (out.type === 'object' || isSchema(out.properties)) out.additionalProperties = false;
  if (notes.length > 0) out.description = [typeof out.description === 'string' ? out.description : undefined, `{${notes.join(', ')}}`].filter(Boolean).join(' ');
  return out;
}
