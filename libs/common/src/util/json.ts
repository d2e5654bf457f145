/** A JSON object (not null, not an array): the guard every reader of untrusted JSON starts with. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
