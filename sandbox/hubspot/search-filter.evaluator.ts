import { isJsonObject } from '../shared/http-io.util';
import { parseInstant } from './instant-format.util';

export type FilterOperator =
  | 'EQ'
  | 'NEQ'
  | 'LT'
  | 'LTE'
  | 'GT'
  | 'GTE'
  | 'BETWEEN'
  | 'IN'
  | 'NOT_IN'
  | 'HAS_PROPERTY'
  | 'NOT_HAS_PROPERTY'
  | 'CONTAINS_TOKEN'
  | 'NOT_CONTAINS_TOKEN';

const OPERATORS: readonly FilterOperator[] = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
];

export interface SearchFilter {
  propertyName: string;
  operator: FilterOperator;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchSort {
  propertyName: string;
  direction: 'ASCENDING' | 'DESCENDING';
}

export interface SearchQuery {
  filterGroups: SearchFilter[][];
  sorts: SearchSort[];
  query: string | null;
  properties: string[] | null;
  limit: number;
  after: number;
}

export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_MAX_RESULTS = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;

/** Parses and checks a search body against HubSpot's documented limits. */
export function parseSearchRequest(body: unknown): { ok: true; query: SearchQuery } | { ok: false; message: string } {
  const input = body === undefined ? {} : body;
  if (!isJsonObject(input)) return { ok: false, message: 'Invalid input JSON: expected an object' };
  const groups: SearchFilter[][] = [];
  const rawGroups = input.filterGroups ?? [];
  if (!Array.isArray(rawGroups)) return { ok: false, message: 'Invalid input JSON: filterGroups must be an array' };
  for (const rawGroup of rawGroups) {
    if (!isJsonObject(rawGroup) || !Array.isArray(rawGroup.filters)) {
      return { ok: false, message: 'Invalid input JSON: each filter group needs a filters array' };
    }
    const parsed = parseFilters(rawGroup.filters);
    if (typeof parsed === 'string') return { ok: false, message: parsed };
    groups.push(parsed);
  }
  if (Array.isArray(input.filters) && input.filters.length > 0) {
    const parsed = parseFilters(input.filters);
    if (typeof parsed === 'string') return { ok: false, message: parsed };
    groups.push(parsed);
  }
  if (groups.length > MAX_GROUPS) return { ok: false, message: `Too many filter groups: ${groups.length} > ${MAX_GROUPS}` };
  if (groups.some((g) => g.length > MAX_FILTERS_PER_GROUP)) {
    return { ok: false, message: `Too many filters in a filter group: at most ${MAX_FILTERS_PER_GROUP}` };
  }
  const total = groups.reduce((n, g) => n + g.length, 0);
  if (total > MAX_FILTERS) return { ok: false, message: `Too many filters: ${total} > ${MAX_FILTERS}` };

  const limit = input.limit === undefined || input.limit === null ? 10 : Number(input.limit);
  if (!Number.isInteger(limit) || limit < 0) return { ok: false, message: `Invalid limit: ${String(input.limit)}` };
  if (limit > SEARCH_MAX_LIMIT) return { ok: false, message: `limit must be less than or equal to ${SEARCH_MAX_LIMIT}` };
  const after = input.after === undefined || input.after === null || input.after === '' ? 0 : Number(input.after);
  if (!Number.isInteger(after) || after < 0) return { ok: false, message: `Invalid after: ${String(input.after)}` };
  if (after + limit > SEARCH_MAX_RESULTS) {
    return { ok: false, message: `Paging past ${SEARCH_MAX_RESULTS} results is not supported` };
  }
  const sorts: SearchSort[] = [];
  if (Array.isArray(input.sorts)) {
    for (const s of input.sorts) {
      if (typeof s === 'string') sorts.push({ propertyName: s, direction: 'ASCENDING' });
      else if (isJsonObject(s) && typeof s.propertyName === 'string') {
        sorts.push({ propertyName: s.propertyName, direction: s.direction === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING' });
      }
    }
  }
  const properties = Array.isArray(input.properties) ? input.properties.filter((p): p is string => typeof p === 'string') : null;
  const query = typeof input.query === 'string' && input.query.trim() !== '' ? input.query.trim() : null;
  return { ok: true, query: { filterGroups: groups, sorts, query, properties, limit, after } };
}

function parseFilters(raw: unknown[]): SearchFilter[] | string {
  const out: SearchFilter[] = [];
  for (const f of raw) {
    if (!isJsonObject(f) || typeof f.propertyName !== 'string') return 'Invalid input JSON: a filter needs a propertyName';
    const operator = String(f.operator ?? 'EQ').toUpperCase() as FilterOperator;
    if (!OPERATORS.includes(operator)) return `Invalid input JSON: ${String(f.operator)} is not a valid operator`;
    const filter: SearchFilter = { propertyName: f.propertyName, operator };
    if (f.value !== undefined && f.value !== null) filter.value = String(f.value);
    if (f.highValue !== undefined && f.highValue !== null) filter.highValue = String(f.highValue);
    if (Array.isArray(f.values)) filter.values = f.values.map((v) => String(v));
    const needsValue = !['HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'IN', 'NOT_IN'].includes(operator);
    if (needsValue && filter.value === undefined) return `Invalid input JSON: operator ${operator} needs a value`;
    if ((operator === 'IN' || operator === 'NOT_IN') && !filter.values) return `Invalid input JSON: operator ${operator} needs values`;
    if (operator === 'BETWEEN' && filter.highValue === undefined) return 'Invalid input JSON: operator BETWEEN needs a highValue';
    out.push(filter);
  }
  return out;
}

type Comparable = { kind: 'number'; n: number } | { kind: 'text'; s: string };

/** Numbers compare as numbers, ISO dates as epoch ms (so a datetime property can be filtered with ms), else text. */
export function toComparable(value: string): Comparable {
  const trimmed = value.trim();
  if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return { kind: 'number', n: Number(trimmed) };
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const ms = parseInstant(trimmed);
    if (ms !== undefined) return { kind: 'number', n: ms };
  }
  return { kind: 'text', s: trimmed.toLowerCase() };
}

export function compareValues(a: string, b: string): number {
  const x = toComparable(a);
  const y = toComparable(b);
  if (x.kind === 'number' && y.kind === 'number') return x.n === y.n ? 0 : x.n < y.n ? -1 : 1;
  const sx = x.kind === 'number' ? a.trim().toLowerCase() : x.s;
  const sy = y.kind === 'number' ? b.trim().toLowerCase() : y.s;
  return sx === sy ? 0 : sx < sy ? -1 : 1;
}

function hasValue(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

export function matchesFilter(properties: Record<string, string>, filter: SearchFilter): boolean {
  const actual = properties[filter.propertyName];
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return hasValue(actual);
    case 'NOT_HAS_PROPERTY':
      return !hasValue(actual);
    case 'NEQ':
      return !hasValue(actual) || compareValues(actual, filter.value ?? '') !== 0;
    case 'NOT_IN':
      return !hasValue(actual) || !(filter.values ?? []).some((v) => compareValues(actual, v) === 0);
    case 'NOT_CONTAINS_TOKEN':
      return !hasValue(actual) || !containsToken(actual, filter.value ?? '');
    default:
      break;
  }
  if (!hasValue(actual)) return false;
  const value = filter.value ?? '';
  switch (filter.operator) {
    case 'EQ':
      return compareValues(actual, value) === 0;
    case 'LT':
      return compareValues(actual, value) < 0;
    case 'LTE':
      return compareValues(actual, value) <= 0;
    case 'GT':
      return compareValues(actual, value) > 0;
    case 'GTE':
      return compareValues(actual, value) >= 0;
    case 'BETWEEN':
      return compareValues(actual, value) >= 0 && compareValues(actual, filter.highValue ?? '') <= 0;
    case 'IN':
      return (filter.values ?? []).some((v) => compareValues(actual, v) === 0);
    case 'CONTAINS_TOKEN':
      return containsToken(actual, value);
    default:
      return false;
  }
}

/** Token match: `*` is a wildcard; otherwise the token must equal one word of the value (case-insensitive). */
export function containsToken(actual: string, token: string): boolean {
  const needle = token.toLowerCase();
  const haystack = actual.toLowerCase();
  if (needle.includes('*')) {
    const pattern = needle
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${pattern}$`).test(haystack) || haystack.split(/[\s,;]+/).some((w) => new RegExp(`^${pattern}$`).test(w));
  }
  return haystack === needle || haystack.split(/[^a-z0-9@._-]+/).includes(needle);
}

/** filterGroups are OR-ed; filters inside a group are AND-ed; no groups match everything. */
export function matchesFilterGroups(properties: Record<string, string>, groups: SearchFilter[][]): boolean {
  if (groups.length === 0) return true;
  return groups.some((group) => group.every((f) => matchesFilter(properties, f)));
}

export function matchesQuery(properties: Record<string, string>, query: string | null, searchable: string[]): boolean {
  if (query === null) return true;
  const needle = query.toLowerCase();
  return searchable.some((name) => (properties[name] ?? '').toLowerCase().includes(needle));
}
