/**
 * Compose-file variable interpolation, as `docker compose` does it before validating
 * a file against the Compose Specification schema:
 *
 *   $$                 a literal $
 *   $VAR, ${VAR}       the value of VAR, or "" when unset
 *   ${VAR:-default}    default when VAR is unset or empty     ${VAR-default}  only when unset
 *   ${VAR:?message}    error when VAR is unset or empty       ${VAR?message}  only when unset
 *   ${VAR:+other}      other when VAR is set and non-empty    ${VAR+other}    when set
 *
 * Defaults, messages and replacements may themselves contain ${...}. Only string
 * values are interpolated (never mapping keys), like Compose does.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export class InterpolationError extends Error {
  constructor(
    readonly variable: string,
    readonly detail: string,
    readonly path: string,
  ) {
    super(`${path ? `${path}: ` : ''}required variable ${variable} is missing a value${detail ? `: ${detail}` : ''}`);
    this.name = 'InterpolationError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Interpolates one string. `path` only labels errors. */
export function interpolateString(input: string, env: Env, path = ''): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$') {
      out += ch;
      i += 1;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = matchingBrace(input, i + 1);
      if (end < 0) throw new Error(`${path ? `${path}: ` : ''}invalid interpolation format for "${input}": unclosed \${`);
      out += expand(input.slice(i + 2, end), env, path, input);
      i = end + 1;
      continue;
    }
    const bare = NAME.exec(input.slice(i + 1));
    if (bare) {
      out += env[bare[0]] ?? '';
      i += 1 + bare[0].length;
      continue;
    }
    // A lone $ (e.g. at the end) stays as it is.
    out += '$';
    i += 1;
  }
  return out;
}

/** Interpolates every string value of a parsed Compose document (keys untouched). */
export function interpolate<T>(value: T, env: Env, path = ''): T {
  if (typeof value === 'string') return interpolateString(value, env, path) as T;
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, `${path}[${index}]`)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = interpolate(item, env, path ? `${path}.${key}` : key);
    }
    return out as T;
  }
  return value;
}

function matchingBrace(input: string, open: number): number {
  let depth = 0;
  for (let i = open; i < input.length; i += 1) {
    if (input[i] === '{') depth += 1;
    else if (input[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function expand(body: string, env: Env, path: string, whole: string): string {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new Error(`${path ? `${path}: ` : ''}invalid interpolation format for "${whole}": bad variable name in \${${body}}`);
  const rest = body.slice(name.length);
  const value = env[name];
  if (rest === '') return value ?? '';

  const colon = rest.startsWith(':');
  const op = colon ? rest[1] : rest[0];
  const word = rest.slice(colon ? 2 : 1);
  // With a colon an empty value counts as unset.
  const set = colon ? value !== undefined && value !== '' : value !== undefined;
  switch (op) {
    case '-':
      return set ? (value as string) : interpolateString(word, env, path);
    case '?':
      if (!set) throw new InterpolationError(name, interpolateString(word, env, path), path);
      return value as string;
    case '+':
      return set ? interpolateString(word, env, path) : '';
    default:
      throw new Error(`${path ? `${path}: ` : ''}invalid interpolation format for "${whole}": \${${body}}`);
  }
}
