import { z } from 'zod';

/**
 * What a portal may set for one capability (docs/decisions/0022): defined once, in
 * libs/common, because ingest's admin API validates it and the enricher reads it, and
 * ingest must not import the enricher. The zod object is both the check and, through
 * `z.infer`, the TypeScript type the enricher reads (`portal.settings[key]`).
 */
export interface CapabilitySettings<T extends object = object> {
  /** Its key in `portal.settings`, e.g. `leadRouting`. */
  key: string;
  /** The one definition: unknown keys are refused, every check says what is wrong in words an operator can act on. */
  schema: z.ZodType<T>;
  /** Shown when the value is not an object at all: `leadRouting must be an object like { ... }`. */
  example: string;
}

/** The prompt a capability asks with and the versions of it a portal may pin (`settings.promptVersions`); the enricher's registry is checked against it. */
export interface CapabilityPrompts {
  id: string;
  /** Every version the enricher has, oldest first. */
  versions: readonly number[];
}

/** A strict object whose own problems read as `<path> must be an object` and `<path> has no setting x (settings: a, b)`. */
export function settingsObject<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `has no setting ${issue.keys.join(', ')} (settings: ${Object.keys(shape).join(', ')})` : 'must be an object'),
  });
}

/** A string checked by a pattern, with one message for a wrong type and a wrong value, and `is required` when it is missing. */
export function patterned(pattern: RegExp, message: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? `is required (it ${message})` : message) }).regex(pattern, { error: message });
}

/** One of a fixed list. */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

/** A number from `min` to `max` (whole when `int`), with one message for every way it can be wrong. */
export function ranged(min: number, max: number, message: string, int = false) {
  const number = z.number({ error: message }).min(min, { error: message }).max(max, { error: message });
  return int ? number.int({ error: message }) : number;
}

/** A list of at most `max`. */
export function listOf<T extends z.ZodType>(item: T, max: number) {
  return z.array(item, { error: 'must be a list' }).max(max, { error: `must have at most ${max} entries` });
}

/**
 * The problems with a capability's settings, one sentence per problem, each naming
 * where it is (`leadRouting.rules[0].persona must be one of …`); empty when they are
 * valid. Pure.
 */
export function settingsProblems(settings: CapabilitySettings, value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${settings.key} must be an object like ${settings.example}`];
  const parsed = settings.schema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${settingsPath(settings.key, issue.path)} ${issue.message}`);
}

/** `leadRouting.rules[0].ownerId` from the key and zod's path. */
function settingsPath(key: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, step) => (typeof step === 'number' ? `${at}[${step}]` : `${at}.${String(step)}`), key);
}
