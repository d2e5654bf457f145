import { DeterministicRng } from '../shared/deterministic-rng';

type Schema = Record<string, unknown>;

export interface GenerateOptions {
  /** Words to build strings from (typically taken from the request). */
  words?: string[];
  /** Below this depth every optional property is filled in; at or past it only required ones. */
  maxDepth?: number;
}

const FALLBACK_WORDS = ['lead', 'fit', 'strong', 'signal', 'intent', 'company', 'budget', 'timeline', 'engaged', 'qualified', 'priority', 'follow', 'up'];
const DEFAULT_TEXT_CHARS = 80;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Produces a value that validates against a JSON schema (the subset tool input schemas use: type, enum,
 * const, properties/required/additionalProperties, items/prefixItems, min/max bounds, lengths, formats, $ref,
 * allOf/anyOf/oneOf), deterministically from `seed`.
 */
export function generateFromSchema(schema: unknown, seed: string, options: GenerateOptions = {}): unknown {
  const words = (options.words ?? []).filter((w) => /^[a-z0-9]{3,20}$/.test(w));
  const generator = new SchemaValueGenerator(schema, new DeterministicRng(seed), words.length > 0 ? words : FALLBACK_WORDS, options.maxDepth ?? 6);
  return generator.generate(schema, 0);
}

/** Lower-case words of a text, de-duplicated, in order of appearance (at most 200). */
export function vocabulary(text: string): string[] {
  const seen = new Set<string>();
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (word.length >= 3 && word.length <= 20) seen.add(word);
    if (seen.size >= 200) break;
  }
  return [...seen];
}

class SchemaValueGenerator {
  constructor(
    private readonly root: unknown,
    private readonly rng: DeterministicRng,
    private readonly words: string[],
    private readonly maxDepth: number,
  ) {}

  generate(input: unknown, depth: number): unknown {
    if (input === false) return null;
    if (!isSchema(input)) return this.text(undefined, undefined);
    const schema = this.resolve(input, depth);
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return this.rng.pick(schema.enum);
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      const { allOf, ...rest } = schema;
      return this.generate(this.merge([rest, ...(allOf as unknown[]).map((s) => (isSchema(s) ? this.resolve(s, depth) : {}))]), depth);
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = schema[key];
      if (Array.isArray(branches) && branches.length > 0) {
        const { [key]: _omit, ...rest } = schema;
        const usable = branches.filter((b) => !(isSchema(b) && b.type === 'null'));
        if (usable.length === 0) return null;
        const branch = key === 'oneOf' ? usable[0] : this.rng.pick(usable);
        return this.generate(this.merge([rest, isSchema(branch) ? this.resolve(branch, depth) : {}]), depth);
      }
    }
    switch (this.typeOf(schema)) {
      case 'object':
        return this.object(schema, depth);
      case 'array':
        return this.array(schema, depth);
      case 'integer':
        return this.integer(schema);
      case 'number':
        return this.number(schema);
      case 'boolean':
        return this.rng.bool();
      case 'null':
        return null;
      default:
        return this.string(schema);
    }
  }

  private resolve(schema: Schema, depth: number): Schema {
    const ref = schema.$ref;
    if (typeof ref !== 'string' || depth > 32) return schema;
    const { $ref: _omit, ...rest } = schema;
    const target = this.lookup(ref);
    return this.merge([isSchema(target) ? this.resolve(target, depth + 1) : {}, rest]);
  }

  private lookup(ref: string): unknown {
    if (!ref.startsWith('#')) return {};
    let node: unknown = this.root;
    for (const raw of ref.replace(/^#\/?/, '').split('/').filter((p) => p !== '')) {
      const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isSchema(node) ? node[part] : Array.isArray(node) ? node[Number(part)] : undefined;
    }
    return node;
  }

  /** Shallow merge; properties merged, required united. */
  private merge(parts: Schema[]): Schema {
    const out: Schema = {};
    const properties: Schema = {};
    const required = new Set<string>();
    for (const part of parts) {
      for (const [key, value] of Object.entries(part)) {
        if (key === 'properties' && isSchema(value)) Object.assign(properties, value);
        else if (key === 'required' && Array.isArray(value)) value.forEach((r) => typeof r === 'string' && required.add(r));
        else out[key] = value;
      }
    }
    if (Object.keys(properties).length > 0) out.properties = properties;
    if (required.size > 0) out.required = [...required];
    return out;
  }

  private typeOf(schema: Schema): string {
    const type = schema.type;
    if (typeof type === 'string') return type;
    if (Array.isArray(type)) {
      const concrete = type.filter((t): t is string => typeof t === 'string' && t !== 'null');
      return concrete[0] ?? 'null';
    }
    if (schema.properties || schema.required || schema.additionalProperties !== undefined) return 'object';
    if (schema.items || schema.prefixItems) return 'array';
    if (schema.minimum !== undefined || schema.maximum !== undefined) return 'number';
    return 'string';
  }

  private object(schema: Schema, depth: number): Record<string, unknown> {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(properties)) {
      if (required.includes(key) || depth < this.maxDepth) out[key] = this.generate(sub, depth + 1);
    }
    const extra = isSchema(schema.additionalProperties) ? schema.additionalProperties : {};
    for (const key of required) if (!(key in out)) out[key] = this.generate(extra, depth + 1);
    const minProps = num(schema.minProperties) ?? 0;
    for (let i = 0; Object.keys(out).length < minProps && schema.additionalProperties !== false; i += 1) {
      out[`extra_${i}`] = this.generate(extra, depth + 1);
    }
    return out;
  }

  private array(schema: Schema, depth: number): unknown[] {
    const min = Math.max(0, num(schema.minItems) ?? 0);
    const max = Math.max(min, num(schema.maxItems) ?? min + 3);
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
    const itemSchema: unknown = isSchema(schema.items) ? schema.items : isSchema(schema.additionalItems) ? schema.additionalItems : {};
    const floor = depth >= Math.min(3, this.maxDepth) ? min : Math.max(min, 1);
    const target = Math.min(max, this.rng.int(floor, Math.min(max, floor + 2)));
    const out: unknown[] = [];
    for (const sub of prefix.slice(0, Math.max(target, Math.min(prefix.length, max)))) out.push(this.generate(sub, depth + 1));
    const unique = schema.uniqueItems === true;
    const seen = new Set(out.map((v) => JSON.stringify(v)));
    let attempts = 0;
    while (out.length < target && attempts < target * 20 + 20) {
      attempts += 1;
      const value = this.generate(itemSchema, depth + 1);
      const key = JSON.stringify(value);
      if (unique && seen.has(key)) continue;
      seen.add(key);
      out.push(value);
    }
    return out;
  }

  private bounds(schema: Schema, step: number): { lo: number; hi: number } {
    let lo = num(schema.minimum);
    let hi = num(schema.maximum);
    const exMin = schema.exclusiveMinimum;
    const exMax = schema.exclusiveMaximum;
    if (typeof exMin === 'number') lo = Math.max(lo ?? -Infinity, exMin + step);
    else if (exMin === true && lo !== undefined) lo += step;
    if (typeof exMax === 'number') hi = Math.min(hi ?? Infinity, exMax - step);
    else if (exMax === true && hi !== undefined) hi -= step;
    if (lo === undefined && hi === undefined) return { lo: 0, hi: 100 };
    if (lo === undefined) return { lo: (hi ?? 0) >= 0 ? 0 : (hi ?? 0) - 100, hi: hi ?? 100 };
    if (hi === undefined) return { lo, hi: lo + 100 };
    return { lo, hi };
  }

  private integer(schema: Schema): number {
    const { lo, hi } = this.bounds(schema, 1);
    const ilo = Math.ceil(lo);
    const ihi = Math.floor(hi);
    const multiple = num(schema.multipleOf);
    if (multiple && multiple > 0) {
      const kLo = Math.ceil(ilo / multiple);
      const kHi = Math.floor(ihi / multiple);
      return kHi >= kLo ? this.rng.int(kLo, kHi) * multiple : ilo;
    }
    return ihi >= ilo ? this.rng.int(ilo, ihi) : ilo;
  }

  private number(schema: Schema): number {
    const { lo, hi } = this.bounds(schema, 1e-6);
    const multiple = num(schema.multipleOf);
    if (multiple && multiple > 0) {
      const kLo = Math.ceil(lo / multiple);
      const kHi = Math.floor(hi / multiple);
      const k = kHi >= kLo ? this.rng.int(kLo, kHi) : kLo;
      return Number((k * multiple).toFixed(10));
    }
    if (hi <= lo) return lo;
    const value = Math.round((lo + this.rng.next() * (hi - lo)) * 100) / 100;
    return value >= lo && value <= hi ? value : (lo + hi) / 2;
  }

  private string(schema: Schema): string {
    const format = typeof schema.format === 'string' ? schema.format : undefined;
    const formatted = format ? this.formatted(format) : undefined;
    const minLength = num(schema.minLength);
    const maxLength = num(schema.maxLength);
    let value = formatted ?? this.text(minLength, maxLength);
    if (formatted !== undefined && maxLength !== undefined && value.length > maxLength) value = this.text(minLength, maxLength);
    const pattern = typeof schema.pattern === 'string' ? safeRegExp(schema.pattern) : undefined;
    if (pattern && !pattern.test(value)) {
      const candidates = [value.replace(/\s+/g, '_'), ...this.words, 'a', 'A', '0', 'a1', 'abc', 'ABC', 'x-1', 'example'];
      value = candidates.find((c) => pattern.test(c) && fits(c, minLength, maxLength)) ?? value;
    }
    return value;
  }

  private formatted(format: string): string | undefined {
    const day = this.rng.int(0, 364);
    const base = Date.UTC(2025, 0, 1) + day * 86_400_000 + this.rng.int(0, 86_399) * 1000;
    switch (format) {
      case 'date-time':
        return new Date(base).toISOString();
      case 'date':
        return new Date(base).toISOString().slice(0, 10);
      case 'time':
        return `${new Date(base).toISOString().slice(11, 19)}Z`;
      case 'email':
      case 'idn-email':
        return `${this.rng.pick(this.words)}${this.rng.int(1, 999)}@example.com`;
      case 'uri':
      case 'url':
      case 'iri':
      case 'uri-reference':
      case 'iri-reference':
        return `https://example.com/${this.rng.pick(this.words)}`;
      case 'uuid': {
        const hex = Array.from({ length: 32 }, () => this.rng.int(0, 15).toString(16)).join('');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[this.rng.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
      }
      case 'hostname':
      case 'idn-hostname':
        return `${this.rng.pick(this.words)}.example.com`;
      case 'ipv4':
        return `192.0.2.${this.rng.int(1, 254)}`;
      case 'ipv6':
        return `2001:db8::${this.rng.int(1, 65535).toString(16)}`;
      case 'duration':
        return `P${this.rng.int(1, 30)}D`;
      default:
        return undefined;
    }
  }

  /** A sentence of request words, fitted to the length bounds. */
  private text(minLength: number | undefined, maxLength: number | undefined): string {
    const limit = Math.min(maxLength ?? DEFAULT_TEXT_CHARS, Math.max(DEFAULT_TEXT_CHARS, minLength ?? 0));
    const parts: string[] = [];
    const wanted = this.rng.int(3, 9);
    while (parts.length < wanted || parts.join(' ').length < (minLength ?? 0)) {
      let word = this.rng.pick(this.words);
      if (this.words.length > 1 && word === parts[parts.length - 1]) word = this.rng.pick(this.words.filter((w) => w !== word));
      parts.push(word);
      if (parts.length > 10_000) break;
    }
    let value = parts.join(' ');
    if (value.length > 0) value = value[0]?.toUpperCase() + value.slice(1);
    if (value.length > limit) {
      const cut = value.slice(0, limit);
      const space = cut.lastIndexOf(' ');
      value = space >= Math.max(1, minLength ?? 0) ? cut.slice(0, space) : cut.trimEnd();
    }
    while (value.length < (minLength ?? 0)) value += 'x';
    if (maxLength !== undefined && value.length > maxLength) value = value.slice(0, maxLength);
    return value;
  }
}

function fits(value: string, min: number | undefined, max: number | undefined): boolean {
  return value.length >= (min ?? 0) && value.length <= (max ?? Infinity);
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}
