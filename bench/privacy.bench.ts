/**
 * bench:privacy — what the pseudonymiser costs per field, and whether a hostile
 * field costs more than an ordinary one of the same length. Each hostile shape of
 * adversarial-inputs.ts is scrubbed uncut by findPersonalData (the worst case:
 * what the 6,000-character cap spares the enricher) and cut by pseudonymise (what
 * a decision pays), against ordinary text of the same length in the same run.
 *
 * Pass: every uncut hostile shape grows linearly — four times the text (32,500 →
 * 130,000 characters) costs less than 8× the time (allocation and GC make it a
 * little more than 4×; a quadratic detector costs 16×) — and 65,000 characters
 * cost under 250 ms; a cut contact with three hostile fields costs under 100 ms.
 * How a shape compares with ordinary text of the same length is printed for
 * information. Times are the best of several runs (the least disturbed by the
 * machine's other work).
 */
import { ADVERSARIAL_FIELDS, ORDINARY_FIELD } from '../apps/enricher/src/privacy/adversarial-inputs';
import { findPersonalData } from '../apps/enricher/src/privacy/personal-data.detectors';
import { pseudonymise } from '../apps/enricher/src/privacy/pseudonymise';

const RUNS = 9;

function timeMs(fn: () => void): { median: number; min: number; max: number } {
  // (median for the report; min for the growth check)
  fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[RUNS >> 1]!, min: samples[0]!, max: samples[RUNS - 1]! };
}

const fmt = (t: { median: number; min: number; max: number }) => `${t.median.toFixed(1)} ms (${t.min.toFixed(1)}–${t.max.toFixed(1)})`;
const baseline = timeMs(() => findPersonalData(ORDINARY_FIELD));
console.log(`findPersonalData, uncut 65,000 characters, median of ${RUNS} (min–max); growth = best time at 130,000 / best time at 32,500 characters:`);
console.log(`  ${'ordinary text (baseline)'.padEnd(26)} ${fmt(baseline)}`);
let pass = true;
for (const [shape, text] of Object.entries(ADVERSARIAL_FIELDS)) {
  const t = timeMs(() => findPersonalData(text));
  const quarter = timeMs(() => findPersonalData(text.slice(0, text.length / 2)));
  const double = (text + text).slice(0, text.length * 2);
  const large = timeMs(() => findPersonalData(double));
  const growth = large.min / Math.max(quarter.min, 0.2);
  const ok = growth < 8 && t.median < 250;
  pass &&= ok;
  console.log(`  ${shape.padEnd(26)} ${fmt(t)}  growth ${growth.toFixed(2)}×, ${(t.median / baseline.median).toFixed(2)}× ordinary text  ${ok ? 'ok' : 'FAIL'}`);
}
const shapes = Object.values(ADVERSARIAL_FIELDS);
const contact = { firstname: 'Jane', message: shapes[0]!, 'notes.1.hs_note_body': shapes[2]!, 'emails.1.hs_email_text': shapes[4]! };
const cut = timeMs(() => pseudonymise(contact));
const cutOk = cut.median < 100;
pass &&= cutOk;
console.log(`pseudonymise, a contact with three hostile 65,000-character fields (cut to 6,000): ${fmt(cut)} ${cutOk ? 'ok' : 'FAIL'}`);
const ordinaryContact = timeMs(() => pseudonymise({ firstname: 'Jane', message: ORDINARY_FIELD.slice(0, 2_000) }));
console.log(`pseudonymise, an ordinary 2,000-character message: ${fmt(ordinaryContact)}`);
console.log(pass ? 'bench:privacy: PASS' : 'bench:privacy: FAIL');
process.exitCode = pass ? 0 : 1;
