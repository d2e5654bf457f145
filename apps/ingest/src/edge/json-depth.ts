/**
 * HubSpot's webhook bodies nest a few levels (an array of flat events; a workflow
 * record with its properties). A body nested deeper than this is refused with 400
 * before it is parsed: deep nesting made serialisation throw further on, which
 * answered 503, and HubSpot retries a 503 for a day.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * True when the JSON text opens more than `maxDepth` arrays or objects inside one
 * another. One pass over the bytes, brackets inside strings ignored (UTF-8 never
 * puts these ASCII bytes inside a multi-byte character). Not a validator: invalid
 * JSON is JSON.parse's to refuse.
 */
export function jsonNestingExceeds(raw: Buffer, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
  }
  return false;
}
