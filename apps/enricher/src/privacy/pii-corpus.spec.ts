import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { personalDataSpans } from './pseudonymise';

/**
 * Measures the pseudonymiser on a corpus of realistic CRM messages written apart
 * from it (corpus/README.md), each with its personal data marked: recall per kind
 * (a marked value counts as caught when every letter and digit of each of its
 * occurrences is replaced) and the share of ordinary words replaced by mistake.
 * Fails under the targets of issue 12: recall ≥ 99% for emails, phones and names,
 * ≥ 95% for the other kinds; ≤ 2% of ordinary words replaced.
 */
interface CorpusMessage {
  id: string;
  lang: string;
  genre: string;
  fields: Record<string, string>;
  text: string;
  pii: Array<{ kind: string; value: string }>;
}

const TARGETS: Record<string, number> = { EMAIL: 0.99, PHONE: 0.99, NAME: 0.99, ADDRESS: 0.95, POSTCODE: 0.95, IBAN: 0.95, CARD: 0.95, SSN: 0.95, DOB: 0.95, IP: 0.95 };
const MAX_FALSE_REPLACEMENTS = 0.02;

function loadCorpus(): CorpusMessage[] {
  return readFileSync(join(__dirname, 'corpus', 'pii-corpus.jsonl'), 'utf8')
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

describe('the pseudonymiser on the PII corpus', () => {
  const corpus = loadCorpus();
  const perKind = new Map<string, { marked: number; caught: number; misses: string[] }>();
  let ordinaryWords = 0;
  let wronglyReplaced = 0;
  const falseExamples: string[] = [];

  beforeAll(() => {
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
    const rows = [...perKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, s]) => `${kind.padEnd(9)} ${String(s.caught).padStart(5)} / ${String(s.marked).padEnd(5)} ${((100 * s.caught) / s.marked).toFixed(1).padStart(5)}%  (target ${(100 * (TARGETS[kind] ?? 0.95)).toFixed(0)}%)`);
    console.log(
      [
        `PII corpus: ${corpus.length} messages`,
        'kind      caught / marked  recall',
        ...rows,
        `ordinary words wrongly replaced: ${wronglyReplaced} of ${ordinaryWords} (${((100 * wronglyReplaced) / ordinaryWords).toFixed(2)}%, target ≤ ${100 * MAX_FALSE_REPLACEMENTS}%)`,
      ].join('\n'),
    );
  });

  it('ships at least 300 messages in several languages, each value marked where it stands', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(new Set(corpus.map((m) => m.lang)).size).toBeGreaterThanOrEqual(5);
    for (const m of corpus) for (const p of m.pii) expect({ id: m.id, value: p.value, found: m.text.includes(p.value) }).toEqual({ id: m.id, value: p.value, found: true });
  });

  it.each(Object.keys(TARGETS))('finds %s at or above its recall target', (kind) => {
    const stats = perKind.get(kind);
    expect(stats).toBeDefined();
    const recall = stats!.caught / stats!.marked;
    if (recall < TARGETS[kind]!) console.log(`${kind} misses:\n${stats!.misses.join('\n')}`);
    expect(recall).toBeGreaterThanOrEqual(TARGETS[kind]!);
  });

  it(`replaces at most ${100 * MAX_FALSE_REPLACEMENTS}% of the ordinary words`, () => {
    const rate = wronglyReplaced / ordinaryWords;
    if (rate > MAX_FALSE_REPLACEMENTS) console.log(`wrongly replaced:\n${falseExamples.join('\n')}`);
    expect(rate).toBeLessThanOrEqual(MAX_FALSE_REPLACEMENTS);
  });
});
