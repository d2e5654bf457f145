/**
 * Fields shaped to make a pattern matcher work hard: long runs of what each
 * detector looks at, never completing a match (an email without its `@`, digits
 * that never make a number, capitalised words that never make an address).
 * Shared by the unit test and the privacy benchmark.
 */
export const ADVERSARIAL_FIELD_CHARS = 65_000;

const fill = (unit: string, chars = ADVERSARIAL_FIELD_CHARS): string => unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);

export const ADVERSARIAL_FIELDS: Record<string, string> = {
  'email-like, no @': fill('a.b_c-d+e%'),
  'many @, no domain': fill('a@'),
  'digits and separators': fill('1 2-3.4 '),
  'hex and colons': fill('a1:'),
  'capitalised words': fill('Anna Street Rue Calle '),
  'sign-offs and cues': fill('best born po '),
  'IBAN-like': fill('DE89 '),
  'letters, one line': fill('abcdefghij'),
  // Found by review: each was quadratic once (a speaker list copied per label, units checked against every street).
  'chat speaker labels': fill('Xy:\n'),
  'units and streets': fill(`${'ste 1 '.repeat(40)}${'1 Pl Pl Pl Pl Pl '.repeat(20)}`),
};

/** Ordinary text of the same length: what the adversarial fields are compared with. */
export const ORDINARY_FIELD = fill('We would like a quote for 40 seats before the end of the quarter, and a demo for our sales team next week. ');
