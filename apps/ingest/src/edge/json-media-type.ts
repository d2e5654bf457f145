const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const PARAMETER = new RegExp(`^[ \\t]*(${TOKEN})=(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")[ \\t]*$`);

/**
 * True for `application/json` exactly (any case), with optional well-formed
 * parameters (RFC 9110 §8.3); a charset, when given, must be UTF-8. Not a prefix:
 * `application/jsonx` or `application/json-seq` are other media types.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...parameters] = contentType.split(';');
  if (type!.trim().toLowerCase() !== 'application/json') return false;
  for (const parameter of parameters) {
    const match = PARAMETER.exec(parameter);
    if (!match) return false;
    const value = match[2]!.startsWith('"') ? match[2]!.slice(1, -1).replace(/\\(.)/g, '$1') : match[2]!;
    if (match[1]!.toLowerCase() === 'charset' && !['utf-8', 'utf8'].includes(value.toLowerCase())) return false;
  }
  return true;
}
