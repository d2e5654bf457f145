import type { ListedOption, ListedProperty } from './property-bootstrap.plan';

/**
 * HubSpot's answers to `properties.list` and `propertyGroups.list` (`{ results: [...] }`),
 * read into what the plan needs. Undefined when the answer has another shape: the
 * bootstrap then decides nothing rather than creating what may already exist.
 */
export function readPropertyList(body: unknown): ListedProperty[] | undefined {
  const results = resultsOf(body);
  if (!results) return undefined;
  const properties: ListedProperty[] = [];
  for (const raw of results) {
    if (!isObject(raw) || typeof raw.name !== 'string' || typeof raw.type !== 'string') return undefined;
    const metadata = isObject(raw.modificationMetadata) ? raw.modificationMetadata : {};
    properties.push({
      name: raw.name,
      type: raw.type,
      fieldType: typeof raw.fieldType === 'string' ? raw.fieldType : '',
      options: Array.isArray(raw.options) ? raw.options.filter(isObject).map(readOption) : [],
      readOnlyValue: metadata.readOnlyValue === true || raw.calculated === true,
    });
  }
  return properties;
}

export function readGroupNames(body: unknown): string[] | undefined {
  const results = resultsOf(body);
  if (!results || !results.every((g) => isObject(g) && typeof g.name === 'string')) return undefined;
  return results.map((g) => (g as { name: string }).name);
}

/** An option as listed, every field kept: an options update sends the existing ones back unchanged. */
function readOption(raw: Record<string, unknown>, index: number): ListedOption {
  return {
    label: typeof raw.label === 'string' ? raw.label : String(raw.value ?? ''),
    value: typeof raw.value === 'string' ? raw.value : String(raw.value ?? ''),
    displayOrder: typeof raw.displayOrder === 'number' ? raw.displayOrder : index,
    hidden: raw.hidden === true,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
  };
}

function resultsOf(body: unknown): unknown[] | undefined {
  return isObject(body) && Array.isArray(body.results) ? body.results : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
