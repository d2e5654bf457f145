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
  const namePattern = namesPattern(names);
  for (const field of fields) {
    if (field in facts || forbidden.has(propertyName(field)) || properties[field] === '') continue;
    facts[field] = scrubText(properties[field]!, namePattern, placeholder);
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

interface NamePattern {
  pattern: RegExp;
  /** A name as matched (lower case) → the name as written in its field, and its placeholder kind. */
  byLowerCase: Map<string, { name: string; kind: string }>;
}

/**
 * One expression for all of a context's names, compiled once per context rather
 * than once per name and field (a Unicode-aware expression is costly to compile).
 * Longer names first, so "Anna" is not taken for "Ann".
 */
function namesPattern(names: Map<string, string>): NamePattern | undefined {
  if (names.size === 0) return undefined;
  const byLowerCase = new Map<string, { name: string; kind: string }>();
  for (const [name, kind] of names) if (!byLowerCase.has(name.toLowerCase())) byLowerCase.set(name.toLowerCase(), { name, kind });
  const alternatives = [...names.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  // Word edges in any script: \b only knows ASCII letters, so "José" or "Zoë" would slip through.
  return { pattern: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'giu'), byLowerCase };
}

/** Emails, phone numbers and the contact's own names inside free text. */
function scrubText(text: string, names: NamePattern | undefined, placeholder: (kind: string, value: string) => string): string {
  let out = text.replace(EMAIL_PATTERN, (email) => placeholder('EMAIL', email));
  out = out.replace(PHONE_PATTERN, (phone) => (phone.replace(/\D/g, '').length >= 7 ? placeholder('PHONE', phone.trim()) : phone));
  if (names) {
    out = out.replace(names.pattern, (matched) => {
      // Case-insensitive matching folds a few letters differently from toLowerCase (İ, ß): look those up one by one.
      const known = names.byLowerCase.get(matched.toLowerCase()) ?? [...names.byLowerCase.values()].find(({ name }) => new RegExp(`^${escapeRegExp(name)}$`, 'iu').test(matched));
      return known ? placeholder(known.kind, known.name) : matched;
    });
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
