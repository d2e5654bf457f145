/**
 * bench:privacy — what the pseudonymiser costs per field, and whether a hostile
 * field costs more than an ordinary one of the same length. Each hostile shape of
 * adversarial-inputs.ts is scrubbed uncut by findPersonalData (the worst case:
 * what the 6,000-character cap spares the enricher) and cut by pseudonymise (what
 * a decision pays), against ordinary text of the same length in the same run.
 *
 * Pass: every uncut hostile shape within 4× the ordinary text's time and under
 * 250 ms; every cut contact with three hostile fields under 100 ms.
 */
import { ADVERSARIAL_FIELDS, ORDINARY_FIELD } from '../apps/enricher/src/privacy/adversarial-inputs';
import { findPersonalData } from '../apps/enricher/src/privacy/personal-data.detectors';
import { pseudonymise } from '../apps/enricher/src/privacy/pseudonymise';

const RUNS = 7;

function timeMs(fn: () => void): { median: number; min: number; max: number } {
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
console.log(`findPersonalData, uncut 65,000 characters, median of ${RUNS} (min–max):`);
console.log(`  ${'ordinary text (baseline)'.padEnd(26)} ${fmt(baseline)}`);
let pass = true;
for (const [shape, text] of Object.entries(ADVERSARIAL_FIELDS)) {
  const t = timeMs(() => findPersonalData(text));
  const ok = t.median <= Math.max(4 * baseline.median, 5) && t.median < 250;
  pass &&= ok;
  console.log(`  ${shape.padEnd(26)} ${fmt(t)}  ${(t.median / baseline.median).toFixed(2)}× baseline ${ok ? 'ok' : 'FAIL'}`);
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
