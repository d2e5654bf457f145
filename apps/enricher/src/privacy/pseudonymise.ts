/**
 * Data minimisation before the model. Pure: CRM facts in, the facts the model may
 * see out, plus a way to put the real values back into the model's text where a
 * writeback needs them (a draft that greets the contact by name).
 *
 * Emails, phone numbers, street addresses and person names become placeholders
 * such as {{EMAIL_1}}; the same value always gets the same placeholder within one
 * context, and the same context always the same placeholders, so identical inputs
 * hash identically (never pay twice). An email's domain is kept as its own fact:
 * it says which company, not which person.
 */
export interface PrivacyPolicy {
  /** Fields never sent to the model, whatever the prompt declares (per portal). */
  forbiddenFields?: readonly string[];
}

export interface Pseudonymised {
  facts: Record<string, string>;
  /** Replaces placeholders in model output with the real values. */
  restore(text: string): string;
  /** Placeholder → kind, for the audit (never the real value). */
  placeholders: Record<string, string>;
}

const PERSON_NAME_FIELDS = new Set(['firstname', 'lastname', 'hs_full_name_or_email', 'salutation']);
const EMAIL_FIELDS = new Set(['email', 'hs_additional_emails', 'work_email']);
const PHONE_FIELDS = new Set(['phone', 'mobilephone', 'fax', 'hs_whatsapp_phone_number']);
const ADDRESS_FIELDS = new Set(['address', 'hs_street_address', 'street_address', 'zip', 'postal_code']);

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Seven or more digits with the usual separators: phone numbers, not years or amounts.
const PHONE_PATTERN = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d(?:[\d\s.-]{5,}\d)/g;

export function pseudonymise(properties: Record<string, string>, policy: PrivacyPolicy = {}): Pseudonymised {
  const forbidden = new Set(policy.forbiddenFields ?? []);
  const byValue = new Map<string, string>();
  const real = new Map<string, string>();
  const kinds: Record<string, string> = {};
  const counters: Record<string, number> = {};
  const placeholder = (kind: string, value: string): string => {
    const key = `${kind}\u0000${value.toLowerCase()}`;
    const known = byValue.get(key);
    if (known) return known;
    counters[kind] = (counters[kind] ?? 0) + 1;
    const token = `{{${kind}_${counters[kind]}}}`;
    byValue.set(key, token);
    real.set(token, value);
    kinds[token] = kind;
    return token;
  };

  const facts: Record<string, string> = {};
  const names = new Map<string, string>(); // a person's name as written → its placeholder kind
  const fields = Object.keys(properties).sort();
  // Structured fields first, so free text reuses their placeholders.
  for (const field of fields) {
    const value = properties[field]!;
    const name = propertyName(field);
    if (forbidden.has(name) || value === '') continue;
    if (PERSON_NAME_FIELDS.has(name)) {
      const kind = name === 'lastname' ? 'LASTNAME' : 'FIRSTNAME';
      facts[field] = placeholder(kind, value);
      if (value.trim().length >= 2) names.set(value.trim(), kind);
    } else if (EMAIL_FIELDS.has(name)) {
      facts[field] = value.replace(EMAIL_PATTERN, (email) => placeholder('EMAIL', email));
      const domain = /@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(value)?.[1];
      if (domain && name === 'email') facts[`${field.slice(0, field.length - name.length)}email_domain`] = domain.toLowerCase();
    } else if (PHONE_FIELDS.has(name)) {
      facts[field] = placeholder('PHONE', value);
    } else if (ADDRESS_FIELDS.has(name)) {
      facts[field] = placeholder('ADDRESS', value);
    }
  }
  const known = knownNames(names);
  for (const field of fields) {
    if (field in facts || forbidden.has(propertyName(field)) || properties[field] === '') continue;
    facts[field] = scrubText(properties[field]!, known, placeholder);
  }
  return {
    facts,
    placeholders: kinds,
    restore: (text) => text.replace(/\{\{[A-Z]+_\d+\}\}/g, (token) => real.get(token) ?? token),
  };
}

/** `contacts.1.email` → `email`: related records' properties are judged by their own name. */
function propertyName(field: string): string {
  return field.slice(field.lastIndexOf('.') + 1);
}

interface KnownName {
  /** The name as written in its field (what restore() puts back). */
  name: string;
  /** The same, lower-cased as the texts it is looked for in. */
  lower: string;
  kind: string;
}

/**
 * The context's names, longer first so "Anna" is not taken for "Ann". Matching is
 * a plain substring search in lower-cased text: a RegExp per context would cost
 * more to compile than the search itself (0.7 ms a context), since names differ
 * from one context to the next.
 */
function knownNames(names: Map<string, string>): KnownName[] {
  return [...names]
    .map(([name, kind]) => ({ name, kind, lower: lowerCaseInPlace(name) }))
    .sort((a, b) => b.name.length - a.name.length);
}

/** Emails, phone numbers and the contact's own names inside free text. */
function scrubText(text: string, names: KnownName[], placeholder: (kind: string, value: string) => string): string {
  let out = text.replace(EMAIL_PATTERN, (email) => placeholder('EMAIL', email));
  out = out.replace(PHONE_PATTERN, (phone) => (phone.replace(/\D/g, '').length >= 7 ? placeholder('PHONE', phone.trim()) : phone));
  return names.length > 0 ? replaceNames(out, names, placeholder) : out;
}

/**
 * Each whole-word occurrence of a known name, in any case, becomes the name's
 * placeholder. Scanning left to right, the longest name starting at a position
 * wins, as a RegExp alternation of the names (longest first) would.
 */
function replaceNames(text: string, names: KnownName[], placeholder: (kind: string, value: string) => string): string {
  const lower = lowerCaseInPlace(text);
  const found: Array<{ start: number; end: number; known: KnownName }> = [];
  for (const known of names) {
    for (let at = lower.indexOf(known.lower); at !== -1; at = lower.indexOf(known.lower, at + 1)) {
      const end = at + known.lower.length;
      if (!isWordCharBefore(text, at) && !isWordCharAt(text, end)) found.push({ start: at, end, known });
    }
  }
  if (found.length === 0) return text;
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let done = 0;
  for (const { start, end, known } of found) {
    if (start < done) continue; // inside a name already replaced
    out += text.slice(done, start) + placeholder(known.kind, known.name);
    done = end;
  }
  return out + text.slice(done);
}

/**
 * Lower case that keeps every character where it was, so a position in the result
 * is the same position in the text. The few letters whose lower case is longer
 * (İ → i̇) stay as they are, and final sigma is sigma.
 */
function lowerCaseInPlace(text: string): string {
  let lower = text.toLowerCase();
  if (lower.length !== text.length) {
    lower = '';
    for (const char of text) {
      const folded = char.toLowerCase();
      lower += folded.length === char.length ? folded : char;
    }
  }
  // Σ lower-cases to ς at a word's end only when the whole text is lower-cased: one sigma for both paths.
  return lower.replace(/ς/g, 'σ');
}

// Word edges in any script: \b only knows ASCII letters, so "José" or "Zoë" would slip through.
const WORD_CHAR = /^[\p{L}\p{N}\p{M}_]$/u;

function isWordCharAt(text: string, index: number): boolean {
  const codePoint = text.codePointAt(index);
  return codePoint !== undefined && WORD_CHAR.test(String.fromCodePoint(codePoint));
}

function isWordCharBefore(text: string, index: number): boolean {
  if (index === 0) return false;
  const low = text.charCodeAt(index - 1);
  // The second half of a surrogate pair: the character starts one unit earlier.
  const start = low >= 0xdc00 && low <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return isWordCharAt(text, start);
}
