import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { personalDataSpans } from './pseudonymise';

/**
 * Measures the pseudonymiser on corpora of realistic CRM messages written apart
 * from it (corpus/README.md), each with its personal data marked: recall per kind
 * (a marked value counts as caught when every letter and digit of each of its
 * occurrences is replaced) and the share of ordinary words replaced by mistake.
 * On the development corpus it fails under the targets of issue 12: recall ≥ 99%
 * for emails, phones and names, ≥ 95% for the other kinds; ≤ 2% of ordinary words
 * replaced.
 */
interface CorpusMessage {
  id: string;
  lang: string;
  genre: string;
  fields: Record<string, string>;
  text: string;
  pii: Array<{ kind: string; value: string }>;
}

/** Issue 12's targets, on the corpus the detectors were developed with. */
const TARGETS: Record<string, number> = { EMAIL: 0.99, PHONE: 0.99, NAME: 0.99, ADDRESS: 0.95, POSTCODE: 0.95, IBAN: 0.95, CARD: 0.95, SSN: 0.95, DOB: 0.95, IP: 0.95 };
const MAX_FALSE_REPLACEMENTS = 0.02;

/**
 * The corpora, each written apart from the detectors by an author who never saw
 * them. pii-corpus.jsonl is the development set: the targets hold on it.
 * pii-holdout.jsonl was held out until its first measurement, then used once for
 * error analysis; pii-final.jsonl was never used to change the detectors. On those
 * two the floors guard against regressions at the levels measured (README), not
 * at the targets.
 */
const CORPORA: Array<{ file: string; recall: Record<string, number>; maxFalse: number }> = [
  { file: 'pii-corpus.jsonl', recall: TARGETS, maxFalse: MAX_FALSE_REPLACEMENTS },
  { file: 'pii-holdout.jsonl', recall: { ...TARGETS, NAME: 0.94 }, maxFalse: MAX_FALSE_REPLACEMENTS },
  // Measured once, never tuned on (2026-12-06): names 86.6%, addresses 70.6%, postcodes 89.7%, birth dates 92.3%, the rest 100%.
  { file: 'pii-final.jsonl', recall: { ...TARGETS, NAME: 0.85, ADDRESS: 0.68, POSTCODE: 0.87, DOB: 0.9 }, maxFalse: MAX_FALSE_REPLACEMENTS },
];

interface Measured {
  messages: number;
  languages: number;
  perKind: Map<string, { marked: number; caught: number; misses: string[] }>;
  ordinaryWords: number;
  wronglyReplaced: number;
  falseExamples: string[];
}

function loadCorpus(file: string): CorpusMessage[] {
  return readFileSync(join(__dirname, 'corpus', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusMessage);
}

function occurrences(text: string, value: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) out.push([at, at + value.length]);
  return out;
}

const ALNUM = /[\p{L}\p{N}]/u;

function measure(corpus: CorpusMessage[]): Measured {
  const perKind: Measured['perKind'] = new Map();
  let ordinaryWords = 0;
  let wronglyReplaced = 0;
  const falseExamples: string[] = [];
  for (const message of corpus) {
    const names = [
      ...(message.fields.firstname ? [{ name: message.fields.firstname, kind: 'FIRSTNAME' as const }] : []),
      ...(message.fields.lastname ? [{ name: message.fields.lastname, kind: 'LASTNAME' as const }] : []),
    ];
    const spans = personalDataSpans(message.text, names);
    const replaced = new Uint8Array(message.text.length);
    for (const s of spans) replaced.fill(1, s.start, s.end);
    const marked = new Uint8Array(message.text.length);
    for (const { kind, value } of message.pii) {
      const stats = perKind.get(kind) ?? { marked: 0, caught: 0, misses: [] };
      perKind.set(kind, stats);
      stats.marked += 1;
      const where = occurrences(message.text, value);
      for (const [a, b] of where) marked.fill(1, a, b);
      const caught = where.length > 0 && where.every(([a, b]) => [...message.text.slice(a, b)].every((ch, i) => !ALNUM.test(ch) || replaced[a + i] === 1));
      if (caught) stats.caught += 1;
      else stats.misses.push(`${message.id}: ${value}`);
    }
    for (const word of message.text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const a = word.index!;
      const b = a + word[0].length;
      if (marked.subarray(a, b).some((m) => m === 1)) continue;
      ordinaryWords += 1;
      if (replaced.subarray(a, b).some((r) => r === 1)) {
        wronglyReplaced += 1;
        if (falseExamples.length < 400) falseExamples.push(`${message.id}: ${word[0]}`);
      }
    }
  }
  return { messages: corpus.length, languages: new Set(corpus.map((m) => m.lang)).size, perKind, ordinaryWords, wronglyReplaced, falseExamples };
}

function report(file: string, m: Measured, recall: Record<string, number>, maxFalse: number): string {
  const rows = [...m.perKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, s]) => `${kind.padEnd(9)} ${String(s.caught).padStart(5)} / ${String(s.marked).padEnd(5)} ${((100 * s.caught) / s.marked).toFixed(1).padStart(5)}%  (at least ${(100 * (recall[kind] ?? 0.95)).toFixed(0)}%)`);
  return [
    `${file}: ${m.messages} messages, ${m.languages} languages`,
    'kind      caught / marked  recall',
    ...rows,
    `ordinary words wrongly replaced: ${m.wronglyReplaced} of ${m.ordinaryWords} (${((100 * m.wronglyReplaced) / m.ordinaryWords).toFixed(2)}%, at most ${100 * maxFalse}%)`,
  ].join('\n');
}

describe.each(CORPORA)('the pseudonymiser on $file', ({ file, recall, maxFalse }) => {
  const corpus = loadCorpus(file);
  let measured: Measured;

  beforeAll(() => {
    measured = measure(corpus);
    console.log(report(file, measured, recall, maxFalse));
  });

  it('holds its messages in several languages, each value marked where it stands', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(file === 'pii-corpus.jsonl' ? 300 : 100);
    expect(new Set(corpus.map((m) => m.lang)).size).toBeGreaterThanOrEqual(5);
    for (const m of corpus) for (const p of m.pii) expect({ id: m.id, value: p.value, found: m.text.includes(p.value) }).toEqual({ id: m.id, value: p.value, found: true });
  });

  it.each(Object.keys(recall))('finds %s at or above its recall', (kind) => {
    const stats = measured.perKind.get(kind);
    expect(stats).toBeDefined();
    const caught = stats!.caught / stats!.marked;
    if (caught < recall[kind]!) console.log(`${file}, ${kind} misses:\n${stats!.misses.join('\n')}`);
    expect(caught).toBeGreaterThanOrEqual(recall[kind]!);
  });

  it('replaces few ordinary words', () => {
    const rate = measured.wronglyReplaced / measured.ordinaryWords;
    if (rate > maxFalse) console.log(`${file}, wrongly replaced:\n${measured.falseExamples.join('\n')}`);
    expect(rate).toBeLessThanOrEqual(maxFalse);
  });
});
