import { ADVERSARIAL_FIELD_CHARS, ADVERSARIAL_FIELDS } from './adversarial-inputs';
import { MAX_FIELD_CHARS, pseudonymise } from './pseudonymise';

/**
 * Issue 12 asks for this one timing in a test: a contact with three hostile
 * 65,000-character fields must not hold the event loop (it once took 3.5–16 s and
 * made another portal's contact wait 19.7 s). The bound is loose for a loaded
 * machine (the best of three runs under 1 s, still a 3.5× margin below the
 * regression; 100 ms failed under a parallel test run on 2 cores at 123 ms);
 * bench:privacy measures the same inputs against a baseline.
 */
describe('hostile field lengths', () => {
  const contact = {
    firstname: 'Jane',
    message: ADVERSARIAL_FIELDS['email-like, no @']!,
    'notes.1.hs_note_body': ADVERSARIAL_FIELDS['digits and separators']!,
    'emails.1.hs_email_text': ADVERSARIAL_FIELDS['capitalised words']!,
  };

  it('scrubs three 65,000-character adversarial fields in well under a second, cutting each with a note', () => {
    pseudonymise(contact); // warm up
    let best = Infinity;
    let result = pseudonymise(contact);
    for (let run = 0; run < 3; run += 1) {
      const started = process.hrtime.bigint();
      result = pseudonymise(contact);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    }
    const { facts, cut } = result;
    expect(best).toBeLessThan(1_000);
    expect(cut.map((c) => [c.field, c.chars])).toEqual([
      ['emails.1.hs_email_text', ADVERSARIAL_FIELD_CHARS],
      ['message', ADVERSARIAL_FIELD_CHARS],
      ['notes.1.hs_note_body', ADVERSARIAL_FIELD_CHARS],
    ]);
    for (const field of ['message', 'notes.1.hs_note_body']) {
      expect(facts[field]!.length).toBeLessThan(MAX_FIELD_CHARS + 60);
      expect(facts[field]).toMatch(/\[…cut: \d+ more characters\]$/);
    }
  });
});
