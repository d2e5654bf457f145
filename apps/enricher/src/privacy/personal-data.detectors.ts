import { AMBIGUOUS_FIRST_NAMES, FIRST_NAMES, WORDLIKE_FIRST_NAMES } from './first-names.data';

/**
 * Finds personal data in free text: where it is and what kind. Pure, and linear in
 * the text's length: every detector is a single pass or a bounded look around a
 * candidate (no RegExp that can backtrack over the text), so a hostile field costs
 * what a friendly one of the same length costs (docs/decisions/0017).
 *
 * What it finds: emails, phone numbers, street addresses (house number and street
 * in English, German, Dutch, French, Spanish, Italian, Portuguese, Polish and
 * Swedish forms; flat, suite and unit numbers; PO boxes), postcodes (US ZIP and
 * ZIP+4, UK, continental), IBANs (checksum verified), payment cards (Luhn
 * verified), US SSNs, dates of birth next to a cue, IP addresses, and people's
 * names: the record's own, those in email addresses, and those that follow a
 * title, a greeting, a sign-off, a mail header or a first name from the name list.
 * What it keeps: companies, cities, countries, amounts, order and ticket numbers,
 * dates that are not birth dates, versions.
 */
export type PersonalDataKind = 'EMAIL' | 'PHONE' | 'ADDRESS' | 'POSTCODE' | 'IBAN' | 'CARD' | 'SSN' | 'DOB' | 'IP' | 'NAME';

export interface Found {
  start: number;
  end: number;
  kind: PersonalDataKind;
}

export function findPersonalData(text: string, knownNames: readonly string[] = []): Found[] {
  // One word of a structured value ("2026-11-01T10:00:00Z", "INCOMING_EMAIL", "25-50", "acme.io") holds no personal data
  // unless it is an email address or a long number: the common case, answered without tokenising.
  if (text.length <= 64 && !/[\s@:]/.test(text) && (text.match(/\d/g)?.length ?? 0) < 4 && !/^\p{L}\p{M}*\p{Ll}/u.test(text)) return [];
  const tokens = tokenise(text);
  const found: Found[] = [
    ...findIbans(text),
    ...findEmails(text),
    ...findDatesOfBirth(text),
    ...findNumbers(text),
    ...findIpv6(text),
    ...findPoBoxes(text),
  ];
  const addresses = [...findAddresses(tokens), ...found.filter((f) => f.kind === 'ADDRESS')];
  found.push(...addresses, ...findPostcodes(text, tokens, addresses), ...findUkPostcodes(text), ...findNames(text, tokens, knownNames, found));
  return resolveOverlaps(found);
}

/**
 * Overlapping finds become one, covering both (nothing either found is left out), of the kind of the one that
 * starts first (for equal starts, the longer, then the one found first: the list's order is priority).
 */
function resolveOverlaps(found: Found[]): Found[] {
  const ordered = found.map((f, i) => ({ f, i })).sort((a, b) => a.f.start - b.f.start || b.f.end - b.f.start - (a.f.end - a.f.start) || a.i - b.i);
  const out: Found[] = [];
  for (const { f } of ordered) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) {
      if (f.end > last.end) out[out.length - 1] = { ...last, end: f.end };
      continue;
    }
    out.push({ ...f });
  }
  return out;
}

// ---------------------------------------------------------------- characters

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpperAscii = (c: number): boolean => c >= 65 && c <= 90;
const isAlnumAscii = (c: number): boolean => isDigit(c) || isUpperAscii(c) || (c >= 97 && c <= 122);
const LETTER = /\p{L}|\p{M}/u;
const isLetter = (ch: string | undefined): boolean => ch !== undefined && LETTER.test(ch);
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && (isLetter(ch) || (ch >= '0' && ch <= '9') || ch === '_');

// ---------------------------------------------------------------- emails

const LOCAL = /[\p{L}\p{M}\p{N}._%+\-]/u;
const DOMAIN = /[\p{L}\p{M}\p{N}.\-]/u;

/** Around each `@`, as far as the address's characters go (never past the previous or next `@`): linear. */
function findEmails(text: string): Found[] {
  const out: Found[] = [];
  let floor = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > floor && at - start < 64 && LOCAL.test(text[start - 1]!)) start--;
    let end = at + 1;
    while (end < text.length && end - at < 254 && DOMAIN.test(text[end]!)) end++;
    while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
    while (start < at && text[start] === '.') start++;
    const domain = text.slice(at + 1, end);
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    if (start < at && domain.includes('.') && (/^\p{L}{2,}$/u.test(tld) || /^xn--[a-z0-9-]+$/i.test(tld))) {
      out.push({ start, end, kind: 'EMAIL' });
      floor = end;
    } else {
      floor = at + 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------- numbers: phones, cards, SSNs, IPv4, ZIP+4

const IPV4_IN_RUN = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;
const RUN_SEPARATORS = new Set([' ', '.', '-', '(', ')', '/', '+', '\u00a0']);
const PHONE_CUE = /(?<![\p{L}\p{N}])(?:tel|phone|fon|mobile?|mob|cell|fax|call|ring|whatsapp|handy|téléphone|portable|teléfono|tlf|móvil|movil|telefoon|mobiel|telefono|cellulare|telemóvel|telefon|tfn|direct|dial|number|nummer|numéro|número|kom|komórka|mobil|t|m|f|p)(?:\s+(?:es|is|ist|est|è|é|är|er|on|at|unter|au|al))?\W{0,4}$/iu;
const NOT_PHONE_CUE = /(?<![\p{L}\p{N}])(?:order|invoice|inv|ticket|case|ref|reference|po|sku|tracking|account|acct|contract|id|no|nr|nº|#|bestell\w*|rechnung\w*|auftrag\w*|kunden\w*|commande|facture|pedido|factura|bestelling|factuur|ordine|fattura|serial|licen[cs]e|version|ver|build|iban|bic|swift|bsb|sort code|routing|rfp|rfq|quote|angebot|offerte|devis|presupuesto|vat|ust-?id|tax|nip|siret|siren|kvk|cif|nif)\W{0,4}$/iu;
/** French and other company registers name the registry town between the word and the number: "RCS Nancy 739 864 491". */
const REGISTER_CUE = /(?<![\p{L}\p{N}])(?:(?:rcs|hrb|hra|amtsgericht|registro mercantil|kvk)\s+[\p{L}-]+|(?:tva|btw|vat|ust|mwst|iva|cnpj|cpf|bce|kbo|abn|acn|gst|ein|tin)(?:\s+[A-Z]{2})?)\s*[:#]?\s*$/iu;
const CURRENCY_BEFORE = /[€$£¥]\s?$|(?:eur|usd|gbp|chf|sek|pln)\s?$/i;
const CURRENCY_AFTER = /^ ?(?:€|eur\b|euros?\b|usd\b|\$|dollars?\b|gbp\b|£|chf\b|sek\b|pln\b|k\b|%)/i;
const SSN_CUE = /(?:ssn|social security(?: number| no\.?)?|sozialversicherung\w*)\W{0,4}$/i;

/**
 * Runs of digits and the separators numbers are written with, each judged once:
 * an IPv4 address, a US SSN, a ZIP+4, a payment card (Luhn), or a phone number.
 * At most two separators in a row, so a run is one number, not a list.
 */
function findNumbers(text: string): Found[] {
  const out: Found[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text.charCodeAt(i)) && !(text[i] === '+' && isDigit(text.charCodeAt(i + 1))) && !(text[i] === '(' && isDigit(text.charCodeAt(i + 1)))) {
      i++;
      continue;
    }
    let end = i;
    let gap = 0;
    while (end < text.length) {
      const ch = text[end]!;
      if (isDigit(ch.charCodeAt(0))) gap = 0;
      else if (RUN_SEPARATORS.has(ch) && gap < 3) gap++;
      else break;
      end++;
    }
    while (end > i && !isDigit(text.charCodeAt(end - 1)) && !(text[end - 1] === ')' && text.slice(i, end).includes('('))) end--;
    // "385873 (3 nights": a bracket that does not close in the run starts something else.
    const open = text.slice(i, end).lastIndexOf('(');
    if (open > 0 && !text.slice(i + open, end).includes(')')) end = i + open;
    while (end > i && !isDigit(text.charCodeAt(end - 1))) end--;
    // Most numbers in CRM text are a year or a count: nothing personal has fewer than four digits.
    let digitCount = 0;
    let dots = 0;
    for (let d = i; d < end; d++) {
      const code = text.charCodeAt(d);
      if (isDigit(code)) digitCount++;
      else if (code === 46) dots++;
    }
    if (digitCount < 4) {
      i = Math.max(end, i + 1);
      continue;
    }
    // IPv4 addresses in a run ("59  203.0.113.111", "198.51.100.147-202" in a log line) are what the run holds.
    // (Not a version: "v2.14.3.1", "version 10.0.19045.1" stay.)
    const versioned = (at: number) => isLetter(text[at - 1]) || /(?:version|ver|build|v)\s*$/i.test(text.slice(Math.max(0, at - 10), at));
    const ips = dots < 3 ? [] : [...text.slice(i, end).matchAll(IPV4_IN_RUN)].filter((m) => m[0].split('.').every((o) => Number(o) <= 255) && !versioned(i + m.index!));
    if (ips.length > 0) {
      for (const m of ips) out.push({ start: i + m.index!, end: i + m.index! + m[0].length, kind: 'IP' });
      i = Math.max(end, i + 1);
      continue;
    }
    const judged = judgeNumber(text, i, end);
    if (judged) out.push(judged);
    else out.push(...splitAtWideGaps(text, i, end));
    // A find that covers only the start of the run ("4111 1111 1111 1111 5500 …"): the rest is judged too.
    i = judged && judged.end < end ? judged.end : Math.max(end, i + 1);
  }
  return out;
}

/** "0176 / 16805348" is one number; "617-555-0134 / 617-555-0199" is two: a run that is no number as a whole is judged in parts. */
function splitAtWideGaps(text: string, start: number, end: number): Found[] {
  const out: Found[] = [];
  const gap = / [/\-–] | {2,}| (?=\+)/g;
  gap.lastIndex = 0;
  const run = text.slice(start, end);
  let from = 0;
  for (let m = gap.exec(run); ; m = gap.exec(run)) {
    const to = m ? m.index : run.length;
    if (from < to && (m || from > 0)) {
      const judged = judgeNumber(text, start + from, start + to);
      if (judged) out.push(judged);
    }
    if (!m) break;
    from = m.index + m[0].length;
  }
  return out;
}

function judgeNumber(text: string, start: number, end: number): Found | undefined {
  const run = text.slice(start, end);
  const digits = run.replace(/\D/g, '');
  const before = text.slice(Math.max(0, start - 30), start);
  const after = text.slice(end, end + 12);
  const prev = text[start - 1];
  // Glued to a word (INV-2026-0042, v2.14.3, 1Z999AA1): a code, not personal data.
  if (isWordChar(prev) || (prev === '-' && isWordChar(text[start - 2])) || isLetter(text[end])) return undefined;
  const bracketed = /^\((.*)\)$/.exec(run);
  const ip = bracketed ? bracketed[1]! : run;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.split('.').every((o) => Number(o) <= 255) ? { start: start + (bracketed ? 1 : 0), end: end - (bracketed ? 1 : 0), kind: 'IP' } : undefined;
  if (/^\d{3}-\d{2}-\d{4}$/.test(run) || (SSN_CUE.test(before) && /^\d{3}[ -]?\d{2}[ -]?\d{4}$/.test(run))) {
    const [area, group, serial] = [digits.slice(0, 3), digits.slice(3, 5), digits.slice(5)];
    if (area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000') return { start, end, kind: 'SSN' };
  }
  if (/^\d{5}-\d{4}$/.test(run)) return { start, end, kind: 'POSTCODE' };
  // A company or tax register number (SIRET is Luhn-checked too), an order or account number: not personal.
  if (NOT_PHONE_CUE.test(before) || REGISTER_CUE.test(before)) return undefined;
  if (digits.length >= 13 && digits.length <= 19 && /^\d+(?:[ -]\d+)*$/.test(run) && luhn(digits)) return { start, end, kind: 'CARD' };
  const card = cardAtStart(run);
  if (card) return { start, end: start + card, kind: 'CARD' };
  return judgePhone(run, digits, start, end, before, after);
}

function judgePhone(run: string, digits: string, start: number, end: number, before: string, after: string): Found | undefined {
  if (digits.length < 7 || digits.length > 15) return undefined;
  const cued = PHONE_CUE.test(before);
  if (!cued && NOT_PHONE_CUE.test(before)) return undefined;
  // Dates (14/03/1985, 2026-11-28, 03.12.2026), a date with a time or in brackets, ids that start with a year
  // (RFP 2026-577) and amounts (1.250.000 €) are not phone numbers.
  if (/^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/.test(run)) return undefined;
  if (/(?:^|\D)\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d(?:\D|$)/.test(run) || /(?:^|\D)(?:19|20)\d\d-\d{1,2}-\d{1,2}(?:\D|$)/.test(run)) return undefined;
  if (/^(?:19|20)\d\d[-/]/.test(run)) return undefined;
  if (CURRENCY_BEFORE.test(before) || CURRENCY_AFTER.test(after)) return undefined;
  const international = run.startsWith('+') || run.startsWith('00');
  const separated = /[\s.\-()/\u00a0]/.test(run.replace(/^\+/, ''));
  if (!separated && !international && !cued && !digits.startsWith('0')) return undefined;
  // A thousands-grouped figure (1 250 000, 12.500.000) without a cue is an amount, not a number to call; a
  // nine-digit number in threes (603 629 874) is how Spain and Poland write phone numbers.
  if (!cued && !international && /^\d{1,2}(?:[ .]\d{3}){2,}$/.test(run) && !digits.startsWith('0')) return undefined;
  return { start, end, kind: 'PHONE' };
}

/** "4692639936378439 8/30": a card number with more after it (an expiry date), as the length of its part of the run. */
function cardAtStart(run: string): number | undefined {
  const groups = /^\d+(?:[ -]\d+)*/.exec(run.slice(0, 24))?.[0];
  if (!groups) return undefined;
  let digits = '';
  const valid = new Map<number, number>();
  for (const m of groups.matchAll(/\d+/g)) {
    digits += m[0];
    if (digits.length > 19) break;
    if (digits.length >= 13 && luhn(digits) && !/\d/.test(run[m.index! + m[0].length] ?? '')) valid.set(digits.length, m.index! + m[0].length);
  }
  // A card is most often 16 digits, then 15 (Amex); a longer prefix that happens to pass Luhn is less likely.
  // 13- and 14-digit cards are rare, and a phone number and a bit of the next pass Luhn one time in ten.
  for (const length of [16, 15, 19]) if (valid.has(length)) return valid.get(length);
  return undefined;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// ---------------------------------------------------------------- IBAN

/**
 * Two letters, two check digits, then up to 30 letters and digits in groups: the longest prefix whose mod-97
 * checksum holds, computed in one pass (the body's remainder grows a character at a time; the country code and
 * check digits, which the checksum moves to the end, are appended to it at each length).
 */
function findIbans(text: string): Found[] {
  const out: Found[] = [];
  for (let i = 0; i + 4 <= text.length; i++) {
    if (!isUpperAscii(text.charCodeAt(i)) || !isUpperAscii(text.charCodeAt(i + 1)) || !isDigit(text.charCodeAt(i + 2)) || !isDigit(text.charCodeAt(i + 3))) continue;
    if (i > 0 && isWordChar(text[i - 1])) continue;
    let rest = 0;
    let count = 4;
    let best = -1;
    let j = i + 4;
    while (j < text.length && count < 34) {
      const c = text.charCodeAt(j);
      if (isAlnumAscii(c)) {
        rest = appendMod97(rest, c);
        count++;
        j++;
        if (count >= 15 && !(j < text.length && isAlnumAscii(text.charCodeAt(j)))) {
          const check = appendMod97(appendMod97(appendMod97(appendMod97(rest, text.charCodeAt(i)), text.charCodeAt(i + 1)), text.charCodeAt(i + 2)), text.charCodeAt(i + 3));
          if (check === 1) best = j;
        }
      } else if (c === 32 && j + 1 < text.length && isAlnumAscii(text.charCodeAt(j + 1))) j++;
      else break;
    }
    if (best !== -1) {
      out.push({ start: i, end: best, kind: 'IBAN' });
      i = best - 1;
    }
  }
  return out;
}

/** The mod-97 remainder after appending one IBAN character, by its code (a letter counts as two digits, A = 10). */
function appendMod97(rest: number, code: number): number {
  if (code >= 48 && code <= 57) return (rest * 10 + (code - 48)) % 97;
  return (rest * 100 + ((code >= 97 ? code - 32 : code) - 55)) % 97;
}


// ---------------------------------------------------------------- IPv6

function findIpv6(text: string): Found[] {
  const out: Found[] = [];
  for (let c = text.indexOf(':'); c !== -1; c = text.indexOf(':', c + 1)) {
    // The whole run of hex digits and colons around this colon, judged once (then the search goes on after it).
    let start = c;
    while (start > 0 && HEX_OR_COLON.test(text[start - 1]!)) start--;
    let end = c;
    while (end < text.length && HEX_OR_COLON.test(text[end]!)) end++;
    if (end - start <= 39 && !isWordChar(text[start - 1]) && !isWordChar(text[end]) && isIpv6(text.slice(start, end))) out.push({ start, end, kind: 'IP' });
    c = end;
  }
  return out;
}

const HEX_OR_COLON = /[0-9a-fA-F:]/;

function isIpv6(s: string): boolean {
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length >= 2 && groups.length <= 7 : groups.length === 8;
}

// ---------------------------------------------------------------- dates of birth

const DOB_CUES = [
  'date of birth', 'birth date', 'birthdate', 'birthday', 'd.o.b.', 'dob', 'born on', 'born', 'geburtsdatum', 'geboren am', 'geboren', 'geb.', 'date de naissance', 'née le', 'né le',
  'fecha de nacimiento', 'nacido el', 'nacida el', 'f. nac.', 'geboortedatum', 'geboren op', 'data di nascita', 'nato il', 'nata il', 'nato', 'nata', 'data de nascimento', 'nascido em', 'nascida em',
  'data urodzenia', 'urodzony', 'urodzona', 'födelsedatum', 'född', 'fødselsdato', 'født',
];
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every cue in one alternation, longest first: one pass over the text instead of one per cue. */
const DOB_CUE = new RegExp([...DOB_CUES].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
/** How far after its cue a birth date may stand: the rest of a line, or the answer on the next ("date of birth?\nJane Doe, May 3, 1990"). */
const DOB_WINDOW = 100;
const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|' +
  'januar|jänner|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|' +
  'enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|januari|februari|maart|mei|augustus|' +
  'gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|' +
  'stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia|juni|augusti';
// Anchored at the position after the cue and its filler; bounded, so each try costs at most a few dozen characters.
const DATE_AT = new RegExp(
  `(?:\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}|\\d{1,2}-(?:${MONTHS})-\\d{2,4}|\\d{1,2}(?:st|nd|rd|th)?\\.?(?:\\s+de)?\\s+(?:${MONTHS})\\.?(?:\\s+de)?,?\\s+\\d{4}|(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4})`,
  'iy',
);
const DATE_IN = new RegExp(DATE_AT.source, 'i');
const DOB_FILLER = /[\s:,.\-–(]*(?:(?:on|am|le|el|op|il|em|the|den|de|in|w|dnia|:)\s+)?/iy;

function findDatesOfBirth(text: string): Found[] {
  if (!/\d/.test(text)) return [];
  const lower = lowerCaseInPlace(text);
  const out: Found[] = [];
  DOB_CUE.lastIndex = 0;
  for (let m = DOB_CUE.exec(lower); m; m = DOB_CUE.exec(lower)) {
    const [cue] = m;
    const at = m.index;
    if (isWordChar(lower[at - 1]) || (isLetter(cue[cue.length - 1]) && isWordChar(lower[at + cue.length]))) continue;
    DOB_FILLER.lastIndex = at + cue.length;
    const filler = DOB_FILLER.exec(text);
    const from = at + cue.length + (filler ? filler[0].length : 0);
    DATE_AT.lastIndex = from;
    const date = DATE_AT.exec(text);
    if (date) {
      out.push({ start: from, end: from + date[0].length, kind: 'DOB' });
      continue;
    }
    // Not right after the cue: the first date in the window, if no other cue's date is nearer.
    const window = text.slice(from, from + DOB_WINDOW);
    const later = DATE_IN.exec(window);
    if (later && !window.slice(0, later.index).includes('\n\n')) out.push({ start: from + later.index, end: from + later.index + later[0].length, kind: 'DOB' });
  }
  return out;
}

// ---------------------------------------------------------------- tokens

interface Token {
  text: string;
  /** Lower case, without a trailing dot. */
  key: string;
  start: number;
  end: number;
  kind: 'word' | 'num' | 'punct' | 'newline';
  cap: boolean;
}

const TOKEN = /\r?\n|[\p{L}\p{M}'’]+(?:[-.][\p{L}\p{M}'’]+)*\.?|\d+[A-Za-zºª°]{0,2}(?:[-/]\d+[A-Za-z]?)?|[^\s]/gu;

function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const t = m[0];
    const kind: Token['kind'] = t.endsWith('\n') ? 'newline' : isDigit(t.charCodeAt(0)) ? 'num' : isLetter(t[0]) ? 'word' : 'punct';
    tokens.push({ text: t, key: t.toLowerCase().replace(/\.$/, ''), start: m.index, end: m.index + t.length, kind, cap: kind === 'word' && t[0] !== t[0]!.toLowerCase() });
  }
  return tokens;
}

// ---------------------------------------------------------------- street addresses

const words = (s: string): Set<string> => new Set(s.split(/\s+/).filter(Boolean));
/** English street types that follow the name: 25 First Street, 1200 Market St. */
const EN_SUFFIX = words(
  'street st avenue ave av boulevard blvd road rd drive dr lane ln way court ct place pl parkway pkwy terrace ter terr highway hwy circle cir square sq crescent cres close row mews gardens gdns grove hill walk alley trail trl pike plaza loop path expressway expy freeway fwy turnpike tpke wharf quay rise green yard crossing broadway ' +
    'chase view vale heights wynd brae parade pde circuit cct esplanade promenade strand gate grange meadows park ridge',
);
/** Street types that come first (French, Spanish, Italian, Portuguese, Polish): 12 rue de la Paix, Calle Mayor 15. */
const TYPE_FIRST = words(
  'bv bvar contrada frazione località localita borgo chaussée chaussee rue avenue av boulevard bd bld bvd place pl allée allee chemin ch impasse imp quai cours route rte square passage voie faubourg fbg esplanade promenade calle avenida avda paseo pº plaza pza carrera cra camino ronda travesía travesia glorieta vía via carretera ctra rambla viale piazza corso largo vicolo strada rua travessa praça praca estrada ul ulica al aleja os osiedle',
);
/** Street words that end a compound (German, Dutch, Swedish): Hauptstraße 12, Keizersgracht 123, Drottninggatan 5. */
const COMPOUND_ENDINGS = [
  'straße', 'strasse', 'str', 'weg', 'platz', 'allee', 'gasse', 'ring', 'damm', 'ufer', 'chaussee', 'steig', 'pfad', 'markt', 'graben', 'hof',
  'straat', 'laan', 'plein', 'gracht', 'kade', 'singel', 'dijk', 'steeg', 'dreef', 'wal', 'burgwal', 'pad', 'weg',
  'gatan', 'vägen', 'gränd', 'torget', 'allén', 'backen', 'stigen', 'gürtel', 'quai', 'kai', 'zeile', 'lände', 'promenade', 'gade', 'vej', 'veien', 'gata',
  'place', 'plaats', 'liz', 'gässli', 'gässchen', 'stieg', 'weiher', 'tor',
];
/** Adjectives street names start with: "Alte", "Neue", "Große", "Kleine", "Östra", "Västra", "Norra", "Södra", "Stora", "Lilla", and German place adjectives in -er. */
const STREET_ADJECTIVES = /^(?:alte|neue|große|grosse|kleine|hohe|lange|obere|untere|östra|västra|norra|södra|stora|lilla|gamla|nya|\p{L}+er)$/u;
const ENDINGS = new Set(COMPOUND_ENDINGS);
const ENDING_LENGTHS = [...new Set(COMPOUND_ENDINGS.map((e) => e.length))].sort((a, b) => b - a);

/** The street word a compound ends with ("hauptstraße" → "straße"), longest first; undefined for other words. */
function compoundEnding(key: string): string | undefined {
  for (const length of ENDING_LENGTHS) {
    if (length <= key.length && ENDINGS.has(key.slice(key.length - length))) return key.slice(key.length - length);
  }
  return undefined;
}

const GERMAN_PREPOSITIONS = words('am an im auf zum zur unter in hinter vor bei');
const ARTICLES = words('der dem den die das');
const PARTICLES = words("de du des la le les l' d' del della dei degli di do da dos y e van der den het 't von zu ten ter el al bin ben ibn abu bint los las lo dels");
const DIRECTIONS = words('n s e w ne nw se sw north south east west');
const ORDINAL_WORDS = words('first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth');
const UNIT_WORDS = words('suite ste apt apartment unit flat appartement appt app wohnung whg top stiege haus piso puerta bât bat bâtiment batiment escalier esc étage etage bte boîte lok lokal dpto depto departamento bloco bloque portal');
const NUMBER_MARKS = words('nº no n° nr nummer número numero');

/** A word with a full stop that is not an abbreviation ("Hugo.", not "St." or "Av."): the sentence ends there. */
const endsSentence = (t: Token): boolean => t.text.endsWith('.') && t.text.length > 4;
const HOUSE_SUFFIXES = words('hs h bg huis bis ter a b c d rd zw i ii iii iv boven');
const DOORS = words('izq izda izqda dcha dch drcha derecha izquierda bajo ático atico dto dta esq fte frente direito esquerdo');

/**
 * The last token of a house number and what may follow it: "374-II", "299 hs", "118, 4º 2ª", "86, 6º A",
 * "88, 2.º Dto.", "61 lok. 4", "72 # 59-34".
 */
function houseNumberEnd(tokens: Token[], n: number): number {
  let last = n;
  const at = (i: number) => tokens[i];
  // Dutch and other suffixes: "-II", "hs", "bis".
  if (at(last + 1)?.text === '-' && at(last + 2) && /^(?:I{1,3}|IV|[A-Z])$/.test(at(last + 2)!.text)) last += 2;
  else if (at(last + 1)?.kind === 'word' && HOUSE_SUFFIXES.has(at(last + 1)!.key) && at(last + 1)!.start <= at(last)!.end + 1 && at(last + 1)!.text.length <= 4 && !at(last + 1)!.cap) last += 1;
  // A letter after a space: "Keizerstraat 131 A".
  else if (at(last + 1)?.kind === 'word' && /^[A-Z]$/.test(at(last + 1)!.text) && at(last + 1)!.start === at(last)!.end + 1 && !(at(last + 2)?.kind === 'word' && !at(last + 2)!.cap)) last += 1;
  // Colombian: "# 59-34".
  if (at(last + 1)?.text === '#' && at(last + 2)?.kind === 'num') last += 2;
  // Floor and door: "4º 2ª", "6º A", "2.º Dto.", "1ºA", "3º B".
  let f = last + 1;
  if (at(f)?.text === ',') f++;
  const floor = at(f)?.kind === 'num' && /[ºª°]$/.test(at(f)!.text) ? f : at(f)?.kind === 'num' && at(f + 1)?.text === '.' && /^[ºª°]$/.test(at(f + 2)?.text ?? '') ? f + 2 : -1;
  // A door or floor word on its own: "171, bajo".
  if (floor === -1 && at(f)?.kind === 'word' && DOORS.has(at(f)!.key)) return f;
  if (floor !== -1) {
    last = floor;
    const door = at(floor + 1);
    if (door && ((door.kind === 'word' && (/^[A-Z]$/.test(door.text) || DOORS.has(door.key))) || (door.kind === 'num' && /[ºª°]$/.test(door.text)))) last = floor + 1;
  }
  return last;
}

/** Where a find ends: a sentence's full stop after its last word stays in the text. */
const endOf = (t: Token): number => (endsSentence(t) ? t.end - 1 : t.end);
const isHouseNumber = (t: Token | undefined): boolean => t !== undefined && t.kind === 'num' && /^\d{1,5}(?!\d)/.test(t.text);

function findAddresses(tokens: Token[]): Found[] {
  const out: Found[] = [];
  const units: Found[] = [];
  const span = (from: number, to: number): void => {
    out.push({ start: tokens[from]!.start, end: endOf(tokens[to]!), kind: 'ADDRESS' });
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'word') {
      englishStreet(tokens, k, span);
      typeFirstStreet(tokens, k, span);
      compoundStreet(tokens, k, span);
      prepositionStreet(tokens, k, span);
      unitNumber(tokens, k, (from, to) => units.push({ start: tokens[from]!.start, end: tokens[to]!.end, kind: 'ADDRESS' }));
    }
  }
  // "Suite 400" is part of an address next to a street ("1200 Market St., Suite 400", "Flat 3, 14 Abbey Road");
  // alone ("Unit 23A (listing 6053)") it is a listing or a room.
  const starts = out.map((a) => a.start).sort((a, b) => a - b);
  const ends = out.map((a) => a.end).sort((a, b) => a - b);
  const near = (u: Found) => {
    const before = ends[upperBound(ends, u.start) - 1];
    const after = starts[upperBound(starts, u.end - 1)];
    return (before !== undefined && u.start - before <= 40) || (after !== undefined && after - u.end <= 40);
  };
  return [...out, ...units.filter(near)];
}

/** NUMBER Name… SUFFIX [direction]: "25 First Street", "1200 Market St. NW". */
function englishStreet(tokens: Token[], k: number, span: (a: number, b: number) => void): void {
  const t = tokens[k]!;
  if (!EN_SUFFIX.has(t.key) || !(t.cap || ['street', 'avenue', 'road', 'boulevard', 'lane', 'drive'].includes(t.key))) return;
  for (let j = k - 1, names = 0; j >= 0 && k - j <= 6; j--) {
    const p = tokens[j]!;
    if (isHouseNumber(p) && names > 0) {
      const next = tokens[k + 1];
      span(j, next && DIRECTIONS.has(next.key) && next.cap && next.start === tokens[k]!.end + 1 ? k + 1 : k);
      return;
    }
    if (p.kind === 'word' && (p.cap || ORDINAL_WORDS.has(p.key) || DIRECTIONS.has(p.key))) names++;
    else if (p.kind === 'num' && /^\d+(st|nd|rd|th)$/i.test(p.text)) names++;
    else return;
  }
}

/** [NUMBER [,]] TYPE name… [[,] NUMBER [floor door]]: "12 rue de la Paix", "45, avenue Victor Hugo", "C/ Alcalá 200, 3º B". */
function typeFirstStreet(tokens: Token[], k: number, span: (a: number, b: number) => void): void {
  const t = tokens[k]!;
  const slashC = t.key === 'c' && tokens[k + 1]?.text === '/';
  if (!TYPE_FIRST.has(t.key) && !slashC) return;
  let start = k;
  let numbered = false;
  // A number before the type (French): "12 rue", "45, avenue", "12 bis rue".
  let b = k - 1;
  if (tokens[b]?.text === ',') b--;
  if (tokens[b] && ['bis', 'ter'].includes(tokens[b]!.key)) b--;
  if (isHouseNumber(tokens[b])) {
    start = b;
    numbered = true;
  }
  let j = k + (slashC ? 2 : 1);
  // Colombia: "Cra. 5 #60-31", "Av. Calle 72 # 59-34" (the street is a number, the house a pair of numbers).
  if (tokens[j] && TYPE_FIRST.has(tokens[j]!.key)) j++;
  if (tokens[j]?.kind === 'num' && tokens[j + 1]?.text === '#' && tokens[j + 2]?.kind === 'num') return span(start, j + 2);
  // Mexico: "Calle 60 693" (the street is a number, the house number follows it).
  if (tokens[j]?.kind === 'num' && isHouseNumber(tokens[j + 1]) && tokens[j + 1]!.start === tokens[j]!.end + 1) return span(start, houseNumberEnd(tokens, j + 1));
  let last = j - 1;
  let names = 0;
  while (j < tokens.length && j - k <= 8) {
    const p = tokens[j]!;
    if (p.kind === 'word' && ((p.cap && (p.text.length === 1 || p.text !== p.text.toUpperCase() || /^[IVXLC]+$/.test(p.text))) || PARTICLES.has(p.key) || /^(l|d)['’]/i.test(p.key))) {
      if (p.cap) names++;
      last = j;
      j++;
      if (endsSentence(p)) break;
    } else break;
  }
  if (names === 0) return;
  if (numbered) return span(start, last);
  // A number after the name (Spanish, Italian, Portuguese, Polish): "Calle Mayor 15", "Via Roma, 10", "ul. Długa 5/12".
  let n = j;
  if (endsSentence(tokens[last]!)) return;
  if (tokens[n]?.text === ',') n++;
  if (tokens[n] && NUMBER_MARKS.has(tokens[n]!.key)) n++;
  if (isHouseNumber(tokens[n])) {
    last = houseNumberEnd(tokens, n);
    numbered = true;
  }
  if (numbered) span(start, last);
}

/** Compound street + NUMBER: "Hauptstraße 12", "Berliner Str. 5a", "Keizersgracht 123", "Laan van Meerdervoort 55", "Burgemeester de Vlugtlaan 12". */
function compoundStreet(tokens: Token[], k: number, span: (a: number, b: number) => void): void {
  const t = tokens[k]!;
  if (!t.cap) return;
  const ending = compoundEnding(t.key);
  if (!ending) return;
  let j = k + 1;
  let start = k;
  // The street word alone (Str., Weg, Laan …): its name stands after it with particles (Laan van Meerdervoort), or before it (Berliner Str.).
  if (t.key === ending) {
    const nameAfter = tokens[j] !== undefined && PARTICLES.has(tokens[j]!.key);
    while (tokens[j] && (PARTICLES.has(tokens[j]!.key) || (tokens[j]!.cap && tokens[j]!.kind === 'word')) && j - k <= 4) j++;
    const before = tokens[k - 1];
    if (!nameAfter && before?.cap && before.kind === 'word' && !endsSentence(before)) start = k - 1;
  }
  if (tokens[j] && NUMBER_MARKS.has(tokens[j]!.key)) j++;
  if (!isHouseNumber(tokens[j])) return;
  // "Burgemeester de Vlugtlaan": a particle before the street word brings in the capitalised word before it.
  while (start > 0 && PARTICLES.has(tokens[start - 1]!.key) && tokens[start - 2]?.cap) start -= 2;
  // "Östra Hamngatan", "Alte Jakobstraße": an adjective before the compound is part of the name.
  const adjective = tokens[start - 1];
  if (adjective?.cap && adjective.kind === 'word' && !endsSentence(adjective) && /(?:er|e|es|a)$/.test(adjective.key) && STREET_ADJECTIVES.test(adjective.key)) start -= 1;
  let last = houseNumberEnd(tokens, j);
  if (tokens[last + 1]?.kind === 'word' && /^[a-z]$/.test(tokens[last + 1]!.text) && tokens[last + 1]!.start === tokens[last]!.end + 1) last += 1;
  span(start, last);
}

/** German streets named with a preposition: "Am Markt 3", "An der Alster 7", "Unter den Linden 77". */
function prepositionStreet(tokens: Token[], k: number, span: (a: number, b: number) => void): void {
  const t = tokens[k]!;
  if (!t.cap || !GERMAN_PREPOSITIONS.has(t.key)) return;
  let j = k + 1;
  if (tokens[j] && ARTICLES.has(tokens[j]!.key)) j++;
  if (!tokens[j]?.cap || tokens[j]!.kind !== 'word') return;
  j++;
  // "Im Jahr 2026" is a year, not a street.
  if (isHouseNumber(tokens[j]) && /^\d{1,4}[a-z]?(?:-\d{1,4}[a-z]?)?$/.test(tokens[j]!.text) && !/^(19|20)\d\d$/.test(tokens[j]!.text)) span(k, j);
}

/** "Suite 400", "Apt. 12B", "Unit 7", "Flat 3", and "#12" right after a street. */
function unitNumber(tokens: Token[], k: number, span: (a: number, b: number) => void): void {
  const t = tokens[k]!;
  if (!UNIT_WORDS.has(t.key)) return;
  let j = k + 1;
  if (tokens[j]?.text === '#') j++;
  const n = tokens[j];
  if (n && (n.kind === 'num' || (n.kind === 'word' && /^(?:[A-Z]?\d+[A-Z]?|[A-Z])$/.test(n.text)))) span(k, j);
}

// ---------------------------------------------------------------- PO boxes

const PO_BOX = /(?:g?p\.?\s?o\.?\s?box|post office box|postfach|postbus|postboks|apartado(?: de correos)?|casilla(?: de correo)?|b\.?p\.?|c\.p\.|case postale|boîte postale|casella postale|caixa postal|skrytka pocztowa|skr\.\s?poczt\.|box(?=\s{0,3}\d{2}))\s{0,3}\d[\d ]{0,9}\d?/iy;
const PO_CUE_STARTS = ['p.o', 'po box', 'gpo', 'po ', 'p o', 'post office', 'postfach', 'postbus', 'postboks', 'apartado', 'casilla', 'bp ', 'b.p', 'c.p.', 'case postale', 'boîte', 'casella', 'caixa', 'skrytka', 'skr.', 'box '];

function findPoBoxes(text: string): Found[] {
  if (!/\d/.test(text)) return [];
  const lower = lowerCaseInPlace(text);
  const out: Found[] = [];
  for (const cue of PO_CUE_STARTS) {
    for (let at = lower.indexOf(cue); at !== -1; at = lower.indexOf(cue, at + 1)) {
      if (isWordChar(lower[at - 1])) continue;
      PO_BOX.lastIndex = at;
      const m = PO_BOX.exec(text);
      if (m) out.push({ start: at, end: at + m[0].trimEnd().length, kind: 'ADDRESS' });
    }
  }
  return out;
}

// ---------------------------------------------------------------- postcodes

const US_STATES = words(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY',
);
const US_STATE_NAMES = words(
  'alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming',
);
const NOT_CITY = words('eur euro euros usd dollar dollars gbp users seats employees mitarbeiter licenses licences units items pieces stück pcs kunden clients customers contacts leads jobs orders km mi tb gb mb');
const COUNTRY_PREFIX = /^(?:d|f|e|i|a|b|ch|nl|l|p|pl|s|dk)$/i;

/** US ZIP after a state, and continental codes before a city where an address is near (or a country letter before them). */
function findPostcodes(text: string, tokens: Token[], addresses: Found[]): Found[] {
  const out: Found[] = [];
  const addressEnds = addresses.map((a) => a.end).sort((a, b) => a - b);
  const nearAddress = (pos: number): boolean => {
    // An address ending on this line or the line before, or within 40 characters.
    const end = addressEnds[upperBound(addressEnds, pos) - 1];
    if (end === undefined || pos - end > 120) return false;
    const between = text.slice(end, pos);
    return between.length <= 40 || (between.split('\n').length <= 2 && between.length <= 120);
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'num') continue;
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    // Australia: "Parramatta NSW 2150".
    if (/^\d{4}$/.test(t.text) && prev?.kind === 'word' && AU_STATES.has(prev.text)) {
      out.push({ start: t.start, end: t.end, kind: 'POSTCODE' });
      continue;
    }
    // Mexico: "C.P. 06500".
    if (/^\d{5}$/.test(t.text) && /^c\.?p\.?$/i.test(text.slice(Math.max(0, t.start - 6), t.start).trim().split(/\s+/).pop() ?? '')) {
      out.push({ start: t.start, end: t.end, kind: 'POSTCODE' });
      continue;
    }
    // Poland "80-831 Gdańsk", Portugal "1100-053 Lisboa", Sweden "211 43 Malmö" (also Czechia, Slovakia, Greece).
    const dashed = /^(?:\d{2}-\d{3}|\d{4}-\d{3})$/.test(t.text) && next?.kind === 'word' && next.cap;
    const split = /^\d{3}$/.test(t.text) && next?.kind === 'num' && /^\d{2}$/.test(next.text) && next.start === t.end + 1 && tokens[k + 2]?.kind === 'word' && tokens[k + 2]!.cap;
    if ((dashed || split) && (nearAddress(t.start) || lineStartOrComma(tokens, k) || prev?.text === '·' || prev?.text === '–')) {
      out.push({ start: t.start, end: split ? next!.end : t.end, kind: 'POSTCODE' });
      continue;
    }
    // US: "CA 94107", "Texas 78701-1234" (a ZIP+4 is found with the numbers).
    if (/^\d{5}$/.test(t.text) && prev && ((prev.kind === 'word' && US_STATES.has(prev.text)) || US_STATE_NAMES.has(prev.key)) && text[t.end] !== '-') {
      out.push({ start: t.start, end: t.end, kind: 'POSTCODE' });
      continue;
    }
    // Dutch: "1012 AB Amsterdam", "1012AB".
    const dutch = /^\d{4}$/.test(t.text) && next?.kind === 'word' && /^[A-Z]{2}$/.test(next.text) && tokens[k + 2]?.cap;
    const glued = /^\d{4}[A-Z]{2}$/.test(t.text);
    if ((dutch || glued) && (nearAddress(t.start) || lineStartOrComma(tokens, k))) {
      out.push({ start: t.start, end: dutch ? next!.end : t.end, kind: 'POSTCODE' });
      continue;
    }
    // After the town, at the end of an address (New Zealand, Chile, Australia without a state): "Christchurch 8011", "Concepción, 4030000".
    const town = prev?.kind === 'word' && prev.cap ? prev : prev?.text === ',' && tokens[k - 2]?.kind === 'word' && tokens[k - 2]!.cap ? tokens[k - 2] : undefined;
    const endsHere = !next || next.kind === 'newline' || [')', ',', '.', ';'].includes(next.text);
    if (/^\d{4,7}$/.test(t.text) && town && endsHere && nearAddress(t.start)) {
      out.push({ start: t.start, end: t.end, kind: 'POSTCODE' });
      continue;
    }
    // Continental: "10115 Berlin", "75008 Paris", "D-10115 Berlin", "28013 Madrid".
    if (!/^\d{4,5}$/.test(t.text) || !next || next.kind !== 'word' || !next.cap || NOT_CITY.has(next.key)) continue;
    const prefixed = prev?.text === '-' && tokens[k - 2] && COUNTRY_PREFIX.test(tokens[k - 2]!.text) && tokens[k - 2]!.end === prev.start;
    if (prefixed) out.push({ start: t.start, end: t.end, kind: 'POSTCODE' });
    else if (nearAddress(t.start) || (t.text.length === 5 && lineStartOrComma(tokens, k))) out.push({ start: t.start, end: t.end, kind: 'POSTCODE' });
  }
  return out;
}

function lineStartOrComma(tokens: Token[], k: number): boolean {
  const prev = tokens[k - 1];
  return !prev || prev.kind === 'newline' || prev.text === ',' || prev.text === '·' || prev.text === '|' || prev.text === '–';
}

const AU_STATES = words('NSW VIC QLD WA SA TAS ACT NT');

/**
 * Postcodes made of capitals and digits, each a fixed, short shape tried where a capital starts a word: UK
 * ("SW1A 1AA", "M1 1AE"), Canada ("T5J 2C2"), Ireland's Eircodes ("D08 C56E", "V94 WW0R") and Argentina
 * ("C1425BGH").
 */
const ALNUM_POSTCODES = [
  /[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])/y,
  /[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d(?![A-Za-z0-9])/y,
  /(?:[ACDEFHKNPRTVWXY]\d{2}|D6W) ?[0-9ACDEFHKNPRTVWXY]{4}(?![A-Za-z0-9])/y,
  /[A-HJ-NP-Z]\d{4}[A-Z]{3}(?![A-Za-z0-9])/y,
];

function findUkPostcodes(text: string): Found[] {
  const out: Found[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!isUpperAscii(text.charCodeAt(i)) || (i > 0 && isWordChar(text[i - 1]))) continue;
    for (const shape of ALNUM_POSTCODES) {
      shape.lastIndex = i;
      const m = shape.exec(text);
      if (m && /\d/.test(m[0].slice(0, 4))) {
        out.push({ start: i, end: i + m[0].length, kind: 'POSTCODE' });
        i += m[0].length - 1;
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- names

const TITLES = words('mr mrs ms miss mx dr prof sir dame herr frau m mme mlle sr sra srta don doña dhr mevr mw sig signor signora pan pani hr fr');
const GREETINGS = words('hi hello hey dear hallo liebe lieber geehrte geehrter bonjour cher chère hola estimado estimada querido querida beste hoi ciao gentile caro cara olá oi prezado prezada cześć witam hej');
const VALEDICTIONS = [
  'best regards', 'kind regards', 'warm regards', 'regards', 'best wishes', 'all the best', 'best', 'thanks', 'thank you', 'many thanks', 'thanks again', 'cheers', 'sincerely', 'yours sincerely', 'yours truly', 'yours',
  'mit freundlichen grüßen', 'mit freundlichen grüssen', 'freundliche grüße', 'viele grüße', 'beste grüße', 'liebe grüße', 'herzliche grüße', 'grüße', 'gruß', 'mfg', 'lg', 'vg',
  'cordialement', 'bien cordialement', 'bien à vous', 'salutations', 'amitiés', 'merci', 'saludos', 'un saludo', 'saludos cordiales', 'atentamente', 'un abrazo', 'gracias',
  'met vriendelijke groet', 'vriendelijke groet', 'met vriendelijke groeten', 'groeten', 'groet', 'mvg', 'cordiali saluti', 'distinti saluti', 'saluti', 'grazie',
  'atenciosamente', 'abraços', 'cumprimentos', 'obrigado', 'obrigada', 'pozdrawiam', 'z poważaniem', 'med vänliga hälsningar', 'vänliga hälsningar', 'hälsningar', 'mvh',
];
/** The sign-off phrases by their first word, longest first. */
const VALEDICTIONS_BY_FIRST_WORD = new Map<string, string[]>();
for (const v of [...VALEDICTIONS].sort((a, b) => b.length - a.length)) {
  const first = v.split(' ')[0]!.replace(/\.$/, '');
  VALEDICTIONS_BY_FIRST_WORD.set(first, [...(VALEDICTIONS_BY_FIRST_WORD.get(first) ?? []), v]);
}
/** Words after which a person's name follows: relations, roles and the labels of forms and letters. */
const PERSON_CUES = words(
  'wife husband son daughter mother father mom mum dad brother sister partner spouse child colleague coworker co-worker manager boss assistant ea pa ' +
  'attn attention c/o t.n.v tnv z.hd hd attention contact contactperson contactpersoon ansprechpartner ansprechpartnerin kollege kollegin frau mann sohn tochter ' +
  'collègue compañero compañera collega kollega mujer marido esposa esposo hijo hija femme mari fils fille moglie marito figlio figlia vrouw man zoon dochter ' +
  'trustee beneficiary beneficiaries employee applicant tenant landlord guarantor driver visited dependent dependents',
);
/** Labels of forms and notes that start lines as "Word:" without being anyone's name. */
const FORM_LABELS = words(
  'name phone email address date note notes subject site total order amount status attachment attachments question answer agenda location time ref reference customer client company account ' +
  'visitor visiteur besucher bezoeker bezoekster visitante conseiller conseillère berater beraterin agent operator support bot system kunde klant cliente guest gast ' +
  'adresse adres dirección direccion indirizzo endereço telefon teléfono telefono téléphone datum fecha data betreff objet asunto oggetto re fw fwd aw tr rv wg',
);
const HEADER_FIELDS = words('from to cc bcc von an de à a para van aan da od do från till envoyé gesendet sent reply-to');
const WROTE = words('wrote schrieb écrit escribió schreef scritto escreveu napisał skrev');
const CALENDAR_WORDS =
  'monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun montag dienstag mittwoch donnerstag freitag samstag sonntag ' +
  'lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado domingo maandag dinsdag woensdag donderdag vrijdag zaterdag zondag ' +
  'lunedì martedì mercoledì giovedì venerdì sabato domenica january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec ' +
  'januar februar märz mai juni juli oktober dezember janvier février mars avril juin juillet août septembre octobre novembre décembre enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre ' +
  'januari februari maart mei augustus christmas easter weihnachten ostern noël navidad pascua ';
const NOT_NAMES = words(
  CALENDAR_WORDS +
  "i'll i'm i've i'd i’ll i’m i’ve i’d " +
  'la le iban bic swift vat tel tél tlf fax mob mobil mobile handy phone email e-mail mail web www fon cell les los las el der die das den dem het the ein eine einen un une uno una een ' +
  'from to cc bcc subject sent date von an betreff gesendet de à objet envoyé para asunto enviado van aan onderwerp verzonden da oggetto inviato od do temat från till ämne skickat ' +
  'grüße grüsse gruß regards wishes saludos groeten groet hälsningar cumprimentos saluti salutations cordialement merci gracias grazie danke thanks ' +
  'morning evening afternoon good hello hallo hola olá bonjour ciao hej hoi firma driver price prima job north south east west ' +
  'team all everyone there sir madam madame folks guys colleagues zusammen tous todos allemaal damen herren support sales service billing customer customers the our your we i you he she they it this that thanks hello hi dear regards best kind company gmbh inc ltd llc corp ag sa bv sl sas plc group solutions consulting services systems technologies partners international holdings',
);
/** "San Francisco", "St. Louis", "Port Elizabeth": a first name after these is part of a place. */
const PLACE_PREFIXES = words('san santa santo são sao st saint sankt sainte ste port fort mount mt lake los las el la le les den new cape');
/** Words that make a capitalised pair a company, not a person ("Juniper Learning", "Kestrel Health", "Nube Gestión"). */
const COMPANY_WORDS = words(
  'gmbh inc ltd llc corp ag sa bv sl sas plc kg ohg ug co limited group solutions consulting consultants services systems technologies technology tech partners international holdings ' +
  'learning health healthcare care clinic dental medical pharma labs lab studio studios software digital data analytics cloud media design creative marketing capital finance financial ' +
  'bank insurance realty properties property estates construction building energy solar power freight logistics shipping transport travel foods food coffee brewing bakery kitchen ' +
  'outfitters office supply supplies motors auto automotive marine aviation robotics networks network security ventures industries manufacturing engineering works foundation trust ' +
  'school academy university college institute agency hotel hotels resort restaurant café cafe bar shop store market markets retail wholesale farms farm gardens fitness sports ' +
  'wines winery wine courier couriers payroll seafood seafoods card cards horlogerie charters fisheries roasters brewery distillery vineyard vineyards orchard dairy ' +
  'florist plumbing roofing electrical builders joinery cleaning catering rentals mietwagen autovermietung impression imprimerie transports ' +
  'cloud tracking tourism accountancy accounts payable receivable aid expo connect interiors interior lda ltda srl spa oy ab as aps post tours events ' +
  'gestión seguros energía salud inmobiliaria construcciones santé immobilier conseil technik verlag versicherung bau immobilien beratung zorg bouw advies',
);
/** "San Francisco", "St. Louis", "Port Elizabeth": places, whatever first names they hold. */
const PLACE_WORDS = words('san santa santo são sao saint sankt sainte port fort mount mt lake new los las el');

function isNameToken(t: Token | undefined): boolean {
  return t !== undefined && t.kind === 'word' && t.cap && !NOT_NAMES.has(t.key) && t.text.length >= 2 && t.text !== t.text.toUpperCase();
}

/** An initial such as "J." or "J". */
function isInitial(t: Token | undefined): boolean {
  return t !== undefined && t.kind === 'word' && /^\p{Lu}\.?$/u.test(t.text);
}

/** A name starting at token k: capitalised words, initials and particles, at most `max` of them; -1 when none. */
function nameFrom(tokens: Token[], k: number, max = 4): number {
  let last = -1;
  let j = k;
  let count = 0;
  while (j < tokens.length && count < max) {
    const t = tokens[j]!;
    if (isNameToken(t) || (isInitial(t) && isNameToken(tokens[j + 1]))) {
      last = j;
      if (endsSentence(t)) break;
    }
    else if (last !== -1 && (PARTICLES.has(t.key) || /^(o['’]|mc|mac)/i.test(t.text)) && (isNameToken(tokens[j + 1]) || (PARTICLES.has(tokens[j + 1]?.key ?? '') && isNameToken(tokens[j + 2])))) {
      /* a particle inside a name */
    } else if (t.text === '-' && last === j - 1 && isNameToken(tokens[j + 1]) && tokens[j + 1]!.start === t.end) {
      /* a hyphen between two parts */
    } else break;
    j++;
    count++;
  }
  if (last !== -1 && COMPANY_WORDS.has(tokens[last]!.key)) return -1;
  return last;
}

function findNames(text: string, tokens: Token[], knownNames: readonly string[], found: readonly Found[]): Found[] {
  const out: Found[] = [];
  const name = (from: number, to: number): void => {
    if (to >= from) out.push({ start: tokens[from]!.start, end: endOf(tokens[to]!), kind: 'NAME' });
  };
  const lower = lowerCaseInPlace(text);
  // Names in email addresses ("jane.doe@…", "maria_schmidt@…") are looked for in the text, capitalised.
  const fromEmails = new Set<string>();
  for (const f of found) {
    if (f.kind !== 'EMAIL') continue;
    const local = text.slice(f.start, text.indexOf('@', f.start));
    const parts = local.split(/[._-]+/).filter((p) => /^\p{L}{3,}$/u.test(p));
    if (parts.length >= 2 || (parts.length === 1 && isFirstName(capitalise(parts[0]!)))) for (const p of parts) fromEmails.add(p.toLowerCase());
  }
  for (const n of knownNames) if (n.trim().length >= 2) for (const part of n.trim().split(/\s+/)) if (part.length >= 2) fromEmails.add(part.toLowerCase());

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'word' && t.cap) {
      // The record's names and names seen in its email addresses, capitalised, wherever they appear.
      if (fromEmails.has(t.key) && t.key.length >= 2) name(k, k);
      // After a title: "Dr. Anna Müller", "Herr Okafor", "Mme Dubois".
      if (TITLES.has(t.key) && (t.text.endsWith('.') || tokens[k + 1]?.start === t.end + 1)) name(k + 1, nameFrom(tokens, k + 1, 3));
      // After a greeting: "Hi Priya,", "Dear Mr Smith", "Hola Carmen".
      if (GREETINGS.has(t.key) && isNameToken(tokens[k + 1]) && !TITLES.has(tokens[k + 1]!.key)) name(k + 1, nameFrom(tokens, k + 1, 2));
      // A first name from the list, with its surname when one follows.
      const word = t.text.replace(/\.$/, '');
      if (isFirstName(word) && !NOT_NAMES.has(t.key) && !PLACE_PREFIXES.has(tokens[k - 1]?.key ?? '') && !PLACE_WORDS.has(t.key) && !isPlace(tokens, k)) {
        const end = nameFrom(tokens, k, 4);
        const ambiguous = AMBIGUOUS_FIRST_NAMES.has(word) || (NON_ASCII.test(word) && AMBIGUOUS_FIRST_NAMES.has(fold(word)));
        // A name that is also a word counts alone only where a name is addressed or speaks: "Bram, kun jij…", "Björn (Kompas):", "Connor – new hire".
        const addressed = atLineStartToken(tokens, k) && [',', ':', '(', '–', '-'].includes(tokens[k + 1]?.text ?? '');
        if (end > k || (end === k && (!ambiguous || addressed))) name(k, end);
      }
    }
    // "@Romain", "cc @Niahm Ormerod": a mention (an "@" after a space, not inside an email address).
    if (t.text === '@' && (k === 0 || tokens[k - 1]!.end < t.start) && tokens[k + 1]?.start === t.end && tokens[k + 1]!.kind === 'word') {
      const end = nameFrom(tokens, k + 1, 3);
      name(k + 1, end >= k + 1 ? end : k + 1);
    }
    // Chat and notes headers: a name, then a time, on a line of its own ("Teun 16:07 :", "Pontus Hedlund 12:00:", "Sybren in den Bosch – 15:08").
    if (t.kind === 'word' && atLineStartToken(tokens, k) && isNameToken(t)) {
      const end = nameFrom(tokens, k, 5);
      let j = end + 1;
      if (tokens[j]?.text === '–' || tokens[j]?.text === '-' || tokens[j]?.text === ',') j++;
      if (end >= k && tokens[j]?.kind === 'num' && tokens[j + 1]?.text === ':' && tokens[j + 2]?.kind === 'num' && /^\d{2}$/.test(tokens[j + 2]!.text)) name(k, end);
    }
    // After a word that introduces a person: "my wife Rekha", "her EA Róisín", "Attn: Jane Doe", "t.n.v. G. Aksoy", "Visited by: Niahm Underwood".
    if (t.kind === 'word' && PERSON_CUES.has(t.key)) {
      let j = k + 1;
      while (tokens[j] && ([':', '-', '–'].includes(tokens[j]!.text) || ['by', 'of', 'for', 'von', 'de'].includes(tokens[j]!.key))) j++;
      const end = nameFrom(tokens, j, 4);
      if (end >= j) name(j, end);
      else if (tokens[j]?.kind === 'word' && /^\p{Lu}{3,}$/u.test(tokens[j]!.text) && tokens[j + 1]?.text === ',' && tokens[j + 2]?.cap) name(j, j + 2);
      else if (tokens[j]?.kind === 'word' && !tokens[j]!.cap && FIRST_NAMES.has(capitalise(tokens[j]!.text)) && !WORDLIKE_FIRST_NAMES.has(capitalise(tokens[j]!.text))) name(j, j);
    }
    // "Lachie Mensah – child –": a relation after a name on its line.
    if (t.kind === 'word' && PERSON_CUES.has(t.key) && ['–', '-', ',', '('].includes(tokens[k - 1]?.text ?? '')) {
      let from = k - 2;
      while (from > 0 && k - from < 5 && (isNameToken(tokens[from - 1]) || PARTICLES.has(tokens[from - 1]!.key))) from--;
      if (isNameToken(tokens[k - 2]) && isNameToken(tokens[from]) && atLineStartToken(tokens, from)) name(from, k - 2);
    }
    // A given name beside a Chinese or Korean surname: "Call Seoyeon Xu", "Kim Minji".
    if (t.kind === 'word' && t.cap && t.text.length >= 4 && !NOT_NAMES.has(t.key) && !COMPANY_WORDS.has(t.key) && tokens[k + 1]?.cap && EAST_ASIAN_SURNAMES.has(tokens[k + 1]!.key.replace(/\.$/, '')) && tokens[k + 1]!.start === t.end + 1) name(k, k + 1);
    // "MCGILLIVRAY, Ailbhe": a surname in capitals, a comma, a first name.
    if (t.kind === 'word' && t.text.length >= 3 && /^\p{Lu}+$/u.test(t.text) && tokens[k + 1]?.text === ',' && tokens[k + 2]?.cap && isFirstName(tokens[k + 2]!.text.replace(/\.$/, ''))) name(k, k + 2);
    // A listed first name written in lower case ("samuel in our AP team", "pon en copia a ramón soto"), where it is no word of ours.
    if (t.kind === 'word' && !t.cap && t.text.length >= 4 && !NOT_NAMES.has(t.key)) {
      const titled = capitalise(t.text);
      // Spelt exactly as listed (no accent folding: "über" is not "Uber").
      if (FIRST_NAMES.has(titled) && !WORDLIKE_FIRST_NAMES.has(titled) && !AMBIGUOUS_FIRST_NAMES.has(titled)) name(k, k);
    }
    // "Name <email>": the words before an angle bracket.
    if (t.text === '<') {
      let j = k - 1;
      if (tokens[j]?.text === '"' || tokens[j]?.text === "'") j--;
      let from = j;
      while (from > 0 && k - from < 6 && (isNameToken(tokens[from - 1]) || isInitial(tokens[from - 1]) || PARTICLES.has(tokens[from - 1]!.key))) from--;
      if (isNameToken(tokens[j]) && isNameToken(tokens[from]) && tokens[from - 1]?.kind !== 'word') name(from, j);
    }
    // "…, Jane Doe wrote:", "Am 03.11. schrieb Jane Doe <…>:".
    if (t.kind === 'word' && WROTE.has(t.key)) {
      let j = k - 1;
      if (tokens[j] && ['a', 'ha'].includes(tokens[j]!.key)) j--;
      let from = j;
      while (from > 0 && j - from < 4 && (isNameToken(tokens[from - 1]) || PARTICLES.has(tokens[from - 1]!.key))) from--;
      if (isNameToken(tokens[j]) && isNameToken(tokens[from])) name(from, j);
    }
    // Mail headers: "From: Jane Doe", "Cc: Tom Lee; Ana Ruiz", "Von: …", "De : …".
    if ((k === 0 || tokens[k - 1]!.kind === 'newline') && t.kind === 'word' && HEADER_FIELDS.has(t.key)) {
      let j = k + 1;
      if (tokens[j]?.text === ':') {
        j++;
        while (j < tokens.length && tokens[j]!.kind !== 'newline') {
          const end = nameFrom(tokens, j, 4);
          if (end >= j) {
            name(j, end);
            j = end + 1;
          } else j++;
        }
      }
    }
  }
  // Sign-offs: the line after "Best regards," (or the rest of its own line: "Thanks, Jane"). Each word that starts a
  // line is looked up by its first word, so the phrases cost nothing where no line starts with one.
  for (let first = 0; first < tokens.length; first++) {
    const phrases = tokens[first]!.kind === 'word' && atLineStartToken(tokens, first) ? VALEDICTIONS_BY_FIRST_WORD.get(tokens[first]!.key) : undefined;
    if (!phrases) continue;
    const at = tokens[first]!.start;
    for (const v of phrases) {
      if (lower.slice(at, at + v.length) !== v || isWordChar(lower[at + v.length])) continue;
      const k = firstTokenFrom(tokens, at + v.length);
      if (k === -1) continue;
      let j = k;
      while (tokens[j] && [',', '!', '.', '-', '–', ':'].includes(tokens[j]!.text)) j++;
      if (tokens[j]?.kind === 'newline') {
        j++;
        while (tokens[j]?.kind === 'newline' || tokens[j]?.text === '>' || tokens[j]?.text === '-') j++;
      }
      while (tokens[j] && TITLES.has(tokens[j]!.key)) j++;
      const end = nameFrom(tokens, j, 4);
      const endsLine = end >= j && (!tokens[end + 1] || tokens[end + 1]!.kind === 'newline' || [',', '|', '·', '–', '-', '('].includes(tokens[end + 1]!.text));
      if (end >= j && endsLine) name(j, end);
    }
  }
  // Chat transcripts: a word that starts two lines or more as "Word:" is a speaker ("Swati: Hi Tanvi", "Tanvi: …").
  const labels = new Map<string, number[]>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'word' && t.cap && t.text !== t.text.toUpperCase() && tokens[k + 1]?.text === ':' && atLineStartToken(tokens, k) && !NOT_NAMES.has(t.key) && !FORM_LABELS.has(t.key)) {
      const seenAt = labels.get(t.text);
      if (seenAt) seenAt.push(k);
      else labels.set(t.text, [k]);
    }
  }
  for (const at of labels.values()) if (at.length >= 2) for (const k of at) name(k, k);
  // A name found once (by a header, a greeting, a sign-off…) is a name wherever else it stands, capitalised.
  const seen = new Set<string>();
  for (const f of out) for (const part of text.slice(f.start, f.end).split(/[\s.,'’-]+/)) if (part.length >= 3 && !NOT_NAMES.has(part.toLowerCase())) seen.add(part);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'word' || !t.cap) continue;
    const word = t.text.replace(/\.$/, '');
    if (seen.has(word) || seen.has(word.replace(/['’]s$/, ''))) name(k, k);
    // Names in capitals ("TUNDE ADELEKE", "AMELIA BRENNAN"): a listed first name followed by another word in capitals.
    const next = tokens[k + 1];
    if (word.length >= 3 && word === word.toUpperCase() && next?.kind === 'word' && /^\p{Lu}{2,}$/u.test(next.text)) {
      const titled = capitalise(word);
      if (isFirstName(titled) && !WORDLIKE_FIRST_NAMES.has(titled) && !NOT_NAMES.has(t.key)) name(k, k + 1);
    }
    // Chinese given names in pinyin beside a Chinese surname ("Zhiwei Liu", "Liu Zhiwei", "Mingyu Cheung"), or beside the record's surname.
    if (next && next.kind === 'word' && next.cap) {
      const surnameAfter = CHINESE_SURNAMES.has(next.key) || fromEmails.has(next.key);
      if (surnameAfter && isPinyinGivenName(word)) name(k, k + 1);
      if (CHINESE_SURNAMES.has(t.key) && isPinyinGivenName(next.text.replace(/\.$/, ''))) name(k, k + 1);
    }
  }
  return out;
}

const KOREAN_SURNAMES = words('kim lee park choi jung jeong kang cho yoon yun jang lim han oh seo shin kwon hwang ahn song yoo hong jeon ko moon yang son bae baek heo nam noh');
/** Chinese and Korean surnames, after which a capitalised word is taken for a given name. */
const EAST_ASIAN_SURNAMES: ReadonlySet<string> = new Set([...KOREAN_SURNAMES]);

/** Common Chinese surnames, in pinyin and in the Cantonese and other romanisations seen abroad. */
const CHINESE_SURNAMES = words(
  'wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin luo gao zheng liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen yao cui zhong tan fan jin shi liao jia xia fu fang bai zou meng xiong qin qiu yin xue yan duan lei hou long tao gu mao hao gong shao wan qian dai mo kong xiang ' +
  'cheung wong chan leung lau ho ng chow lam tsang yip kwok tse lai ip fung mak choi chiu chu kwan lo tam yeung siu szeto tsui law kan hui poon ko koo tong tsai',
);
const PINYIN_SYLLABLES = words(
  'a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo ' +
  'da dai dan dang dao de dei deng di dian diao die ding diu dong dou du duan dui dun duo e ei en er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ' +
  'ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo ' +
  'la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu long lou lu luan lun luo lv lü lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nü ' +
  'o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru ruan rui run ruo ' +
  'sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo ' +
  'wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo',
);

for (const surname of CHINESE_SURNAMES) (EAST_ASIAN_SURNAMES as Set<string>).add(surname);

/** Two pinyin syllables written as one capitalised word ("Zhiwei", "Yutong"): how most Chinese given names are romanised. */
function isPinyinGivenName(word: string): boolean {
  if (!/^\p{Lu}\p{Ll}{3,9}$/u.test(word)) return false;
  const lower = word.toLowerCase();
  for (let cut = 1; cut < lower.length; cut++) if (PINYIN_SYLLABLES.has(lower.slice(0, cut)) && PINYIN_SYLLABLES.has(lower.slice(cut))) return true;
  return false;
}

const REGIONS = words('AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY ON BC QC AB MB SK NS NB NL PE YT NT NU NSW VIC QLD WA SA TAS ACT NT');

const PLACE_SUFFIXES = words('city town village springs falls beach harbour harbor bay island islands valley hills creek heights junction');

/** A first name that names a town: "Portland, OR", "Brooklyn, NY 11201", "4051 Basel", "Victoria BC". */
function isPlace(tokens: Token[], k: number): boolean {
  const prev = tokens[k - 1];
  if (prev?.kind === 'num' && /^\d{4,5}$/.test(prev.text)) return true;
  if (PLACE_SUFFIXES.has(tokens[k + 1]?.key ?? '')) return true;
  const next = tokens[k + 1]?.text === ',' ? tokens[k + 2] : tokens[k + 1];
  return next !== undefined && ((next.kind === 'word' && REGIONS.has(next.text.replace(/\.$/, ''))) || (next.kind === 'num' && /^\d{4,7}$/.test(next.text)));
}

/** The index of the first value greater than `x` in an ascending list (binary search). */
export function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether token k starts its line (after a list marker or a quote mark at most). */
function atLineStartToken(tokens: Token[], k: number): boolean {
  let j = k - 1;
  while (j >= 0 && ['-', '•', '*', '>', '–'].includes(tokens[j]!.text)) j--;
  return j < 0 || tokens[j]!.kind === 'newline';
}

/** The first token starting at or after `pos` (binary search), or -1. */
function firstTokenFrom(tokens: Token[], pos: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.start < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo < tokens.length ? lo : -1;
}

/** Without accents and with the letters that do not decompose spelt plainly: "Óscar" → "Oscar", "Paweł" → "Pawel". */
function fold(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[łŁøØđĐßæÆ]/g, (c) => ({ ł: 'l', Ł: 'L', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ß: 'ss', æ: 'ae', Æ: 'Ae' })[c]!);
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The listed names that carry accents, spelt without them ("José" → "Jose"): the lists and the texts each drop accents now and then. */
const FOLDED_ACCENTED_NAMES: ReadonlySet<string> = new Set([...FIRST_NAMES].filter((n) => NON_ASCII.test(n)).map(fold));

function isFirstName(word: string): boolean {
  if (FIRST_NAMES.has(word)) return true;
  const folded = NON_ASCII.test(word) ? fold(word) : word;
  return FIRST_NAMES.has(folded) || FOLDED_ACCENTED_NAMES.has(folded);
}

/**
 * Lower case that keeps every character where it was, so a position in the result
 * is the same position in the text. The few letters whose lower case is longer
 * (İ → i̇) stay as they are, and final sigma is sigma.
 */
export function lowerCaseInPlace(text: string): string {
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

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}
