import { findPersonalData, lowerCaseInPlace, upperBound, type PersonalDataKind } from './personal-data.detectors';

/** A placeholder in pseudonymised text ({{EMAIL_1}}, {{FIRSTNAME_2}}): what `restore` replaces with the real value. */
export const PLACEHOLDER = /\{\{[A-Z]+_\d+\}\}/;

/**
 * Data minimisation before the model. Pure: CRM facts in, the facts the model may
 * see out, plus a way to put the real values back into the model's text where a
 * writeback needs them (a draft that greets the contact by name).
 *
 * Personal data becomes placeholders such as {{EMAIL_1}}: the record's own names,
 * emails, phones and addresses in their fields, and in free text whatever
 * findPersonalData finds (emails, phones, street addresses, postcodes, IBANs,
 * cards, SSNs, dates of birth, IP addresses, people's names). The same value
 * always gets the same placeholder within one context, and the same context
 * always the same placeholders, so identical inputs hash identically (never pay
 * twice). An email's domain is kept as its own fact: it says which company, not
 * which person; companies, cities and countries stay (docs/decisions/0017).
 *
 * Free text is cut to MAX_FIELD_CHARS first, at a word edge, with a note saying
 * so: what one field may cost, in tokens and in time, is bounded.
 */
export interface PrivacyPolicy {
  /** Fields never sent to the model, whatever the prompt declares (per portal). */
  forbiddenFields?: readonly string[];
}

/** What one free-text field may contribute to a prompt (≈ 1,500 tokens). */
export const MAX_FIELD_CHARS = 6_000;

export interface Pseudonymised {
  facts: Record<string, string>;
  /** Fields cut to MAX_FIELD_CHARS, with their length before the cut (the facts say so in the text too). */
  cut: Array<{ field: string; chars: number }>;
  /** Replaces placeholders in model output with the real values. */
  restore(text: string): string;
  /** Placeholder → kind, for the audit (never the real value). */
  placeholders: Record<string, string>;
}

const PERSON_NAME_FIELDS = new Set(['firstname', 'lastname', 'hs_full_name_or_email', 'salutation']);
const EMAIL_FIELDS = new Set(['email', 'hs_additional_emails', 'work_email']);
const PHONE_FIELDS = new Set(['phone', 'mobilephone', 'fax', 'hs_whatsapp_phone_number']);
const ADDRESS_FIELDS = new Set(['address', 'hs_street_address', 'street_address', 'zip', 'postal_code']);


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
    const raw: unknown = properties[field];
    if (typeof raw !== 'string') continue;
    // Text that looks like a placeholder would be "restored" to another value: it goes without its braces.
    const value = raw.replace(/\{\{/g, '{ {');
    const name = propertyName(field);
    if (forbidden.has(name) || value === '') continue;
    if (PERSON_NAME_FIELDS.has(name)) {
      const kind = name === 'lastname' ? 'LASTNAME' : 'FIRSTNAME';
      facts[field] = placeholder(kind, value);
      if (value.trim().length >= 2) names.set(value.trim(), kind);
    } else if (EMAIL_FIELDS.has(name)) {
      const bounded = capLength(value);
      const emails = findPersonalData(bounded).filter((f) => f.kind === 'EMAIL');
      const scrubbed = replaceAll(bounded, emails.map((f) => ({ start: f.start, end: f.end, kind: 'EMAIL', value: bounded.slice(f.start, f.end) })), placeholder);
      // An email field holds an address: what is not recognised as one ("jane@localhost", "Jane Doe <…>") goes as a whole.
      facts[field] = /^(?:\{\{EMAIL_\d+\}\}[\s,;]*)+$/.test(scrubbed) ? scrubbed : placeholder('EMAIL', value);
      const first = emails[0] ? bounded.slice(emails[0].start, emails[0].end) : undefined;
      if (first && name === 'email') facts[`${field.slice(0, field.length - name.length)}email_domain`] = first.slice(first.indexOf('@') + 1).toLowerCase();
    } else if (PHONE_FIELDS.has(name)) {
      facts[field] = placeholder('PHONE', value);
    } else if (ADDRESS_FIELDS.has(name)) {
      facts[field] = placeholder('ADDRESS', value);
    }
  }
  const known = knownNames(names);
  const cut: Pseudonymised['cut'] = [];
  for (const field of fields) {
    const raw: unknown = properties[field];
    if (field in facts || forbidden.has(propertyName(field)) || typeof raw !== 'string' || raw === '') continue;
    const value = raw.replace(/\{\{/g, '{ {');
    const bounded = capLength(value);
    if (bounded !== value) cut.push({ field, chars: value.length });
    facts[field] = scrubText(bounded, known, placeholder);
  }
  return {
    facts,
    cut,
    placeholders: kinds,
    restore: (text) => text.replace(new RegExp(PLACEHOLDER.source, 'g'), (token) => real.get(token) ?? token),
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

/**
 * The text, or its first MAX_FIELD_CHARS characters cut at a space (so no email or
 * number is cut in two and half left to read) with a note of how much was left out.
 */
export function capLength(text: string): string {
  if (text.length <= MAX_FIELD_CHARS) return text;
  // At whitespace near the limit, and before any personal value that crosses it (a cut IBAN or phone number
  // would be left half readable and no longer recognisable).
  let at = MAX_FIELD_CHARS;
  for (let i = MAX_FIELD_CHARS; i > MAX_FIELD_CHARS - 200; i--) {
    if (/\s/.test(text[i]!)) {
      at = i;
      break;
    }
  }
  for (const f of findPersonalData(text.slice(0, MAX_FIELD_CHARS + 300))) if (f.start < at && f.end > at) at = f.start;
  // Never between the halves of a surrogate pair.
  if (at > 0 && /[\uD800-\uDBFF]/.test(text[at - 1]!)) at -= 1;
  return `${text.slice(0, at)} […cut: ${text.length - at} more characters]`;
}

interface Replacement {
  start: number;
  end: number;
  /** The placeholder's kind and the value it stands for. */
  kind: string;
  value: string;
}

/** The record's own names, then everything findPersonalData finds, each replaced by its placeholder in one pass. */
function scrubText(text: string, names: KnownName[], placeholder: (kind: string, value: string) => string): string {
  return replaceAll(text, personalDataIn(text, names), placeholder);
}

/** Where free text holds personal data, given the names of the record's people (firstname, lastname, …): what scrubbing replaces. */
export function personalDataSpans(text: string, recordNames: ReadonlyArray<{ name: string; kind: 'FIRSTNAME' | 'LASTNAME' }>): Array<{ start: number; end: number; kind: string }> {
  return personalDataIn(text, knownNames(new Map(recordNames.filter((n) => n.name.trim().length >= 2).map((n) => [n.name.trim(), n.kind]))));
}

function personalDataIn(text: string, names: KnownName[]): Replacement[] {
  const detected = findPersonalData(text, names.map((n) => n.name));
  const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
  // The record's names inside an email or an address go with it; elsewhere they win over a name found by its shape.
  const whole = detected.filter((f) => f.kind !== 'NAME');
  // Both lists are sorted and without overlaps of their own: the one span that can overlap is found by binary search.
  const wholeStarts = whole.map((f) => f.start);
  const overlapsWhole = (n: { start: number; end: number }) => {
    const candidate = whole[upperBound(wholeStarts, n.end - 1) - 1];
    return candidate !== undefined && overlaps(candidate, n);
  };
  const own = (names.length > 0 ? knownNameSpans(text, names) : []).filter((n) => !overlapsWhole(n));
  // A name found by its shape that holds one of the record's names ("Harriet Radcliffe" where Radcliffe is the
  // contact's) keeps its other words ("Harriet").
  const others = detected.flatMap((f) => (f.kind === 'NAME' ? outside(f, own, text) : [f]));
  return [...own, ...others.map((f) => ({ start: f.start, end: f.end, kind: f.kind, value: text.slice(f.start, f.end) }))];
}

const takenStarts = new WeakMap<Replacement[], number[]>();

/** The parts of a find that none of `taken` covers and that hold a letter. */
function outside(found: { start: number; end: number; kind: PersonalDataKind }, taken: Replacement[], text: string): Array<{ start: number; end: number; kind: PersonalDataKind }> {
  // `taken` is sorted by start and without overlaps: only the spans between these two bounds can fall inside.
  const starts = takenStarts.get(taken) ?? takenStarts.set(taken, taken.map((t) => t.start)).get(taken)!;
  const inside: Replacement[] = [];
  for (let i = Math.max(0, upperBound(starts, found.start) - 1); i < taken.length && taken[i]!.start < found.end; i++) {
    if (taken[i]!.end > found.start) inside.push(taken[i]!);
  }
  if (inside.length === 0) return [found];
  const parts: Array<{ start: number; end: number; kind: PersonalDataKind }> = [];
  let from = found.start;
  for (const t of [...inside, { start: found.end, end: found.end }]) {
    let [a, b] = [from, Math.min(t.start, found.end)];
    while (a < b && /\s/.test(text[a]!)) a++;
    while (b > a && /\s/.test(text[b - 1]!)) b--;
    if (b > a && /\p{L}/u.test(text.slice(a, b))) parts.push({ start: a, end: b, kind: found.kind });
    from = Math.max(from, t.end);
  }
  return parts;
}

function replaceAll(text: string, replacements: Replacement[], placeholder: (kind: string, value: string) => string): string {
  if (replacements.length === 0) return text;
  let out = '';
  let done = 0;
  for (const r of [...replacements].sort((a, b) => a.start - b.start)) {
    if (r.start < done) continue;
    out += text.slice(done, r.start) + placeholder(r.kind, r.value);
    done = r.end;
  }
  return out + text.slice(done);
}

/**
 * Each whole-word occurrence of a known name, in any case. Scanning left to right,
 * the longest name starting at a position wins, as a RegExp alternation of the
 * names (longest first) would.
 */
function knownNameSpans(text: string, names: KnownName[]): Replacement[] {
  const lower = lowerCaseInPlace(text);
  const found: Array<{ start: number; end: number; known: KnownName }> = [];
  for (const known of names) {
    for (let at = lower.indexOf(known.lower); at !== -1; at = lower.indexOf(known.lower, at + 1)) {
      const end = at + known.lower.length;
      if (!isWordCharBefore(text, at) && !isWordCharAt(text, end)) found.push({ start: at, end, known });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Replacement[] = [];
  let done = 0;
  for (const { start, end, known } of found) {
    if (start < done) continue; // inside a name already found
    out.push({ start, end, kind: known.kind, value: known.name });
    done = end;
  }
  return out;
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
