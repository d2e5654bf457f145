import { deterministicId } from '@app/common';
import { mapCreateOutcomes, markerIn, markerOf, type CreateInput } from './create-outcomes';

const commandId = (i: number) => deterministicId('test-command', i);
const input = (i: number, body = `note ${i}`): CreateInput => ({ traceId: `w${i}`, commandId: commandId(i), properties: { hs_timestamp: '2026-12-01T00:00:00.000Z', hs_note_body: `${body}<p>${markerOf(commandId(i))}</p>` } });
/** A result as HubSpot's v3 reference shows it: no objectWriteTraceId, properties echoed. */
const result = (id: string, properties: Record<string, string>) => ({ id, properties: { ...properties, hs_object_id: id, hs_createdate: '2026-12-01T00:00:01.000Z' }, createdAt: '2026-12-01T00:00:01.000Z', archived: false });

/** Seeded shuffle, so the order differs from the inputs' as HubSpot's does. */
function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('mapCreateOutcomes', () => {
  it('maps 100 results answered in shuffled order without trace ids back to their inputs by marker', () => {
    const inputs = Array.from({ length: 100 }, (_, i) => input(i, 'identical body'));
    const results = shuffled(inputs.map((inp, i) => result(String(9000 + i), inp.properties)), 7);
    expect(results[0]!.id).not.toBe('9000');
    const { perInput, anomalies } = mapCreateOutcomes(inputs, { status: 'COMPLETE', results });
    expect(anomalies).toEqual([]);
    perInput.forEach((o, i) => expect(o).toMatchObject({ kind: 'applied', matchedBy: 'marker', record: { id: String(9000 + i) } }));
  });

  it('uses objectWriteTraceId on a result when HubSpot fills it, and errors by their trace context', () => {
    const inputs = [input(0), input(1), input(2)];
    const { perInput } = mapCreateOutcomes(inputs, {
      status: 'COMPLETE',
      results: [{ ...result('5', { hs_note_body: 'rewritten by HubSpot' }), objectWriteTraceId: 'w2' }, result('4', inputs[0]!.properties)],
      numErrors: 1,
      errors: [{ status: 'error', category: 'VALIDATION_ERROR', message: 'bad', context: { objectWriteTraceId: ['w1'] } }],
    });
    expect(perInput.map((o) => o.kind)).toEqual(['applied', 'refused', 'applied']);
    expect(perInput[2]).toMatchObject({ matchedBy: 'trace-id', record: { id: '5' } });
  });

  it('without markers echoed, pairs by the exact echoed properties, then by HubSpot’s counts', () => {
    const plain = (i: number, body: string): CreateInput => ({ traceId: `w${i}`, commandId: commandId(i), properties: { hs_note_body: body } });
    const distinct = mapCreateOutcomes([plain(0, 'a'), plain(1, 'b')], { results: [result('2', { hs_note_body: 'b' }), result('1', { hs_note_body: 'a' })] });
    expect(distinct.perInput).toMatchObject([{ matchedBy: 'echoed-properties', record: { id: '1' } }, { matchedBy: 'echoed-properties', record: { id: '2' } }]);

    // Identical inputs, every one created (no errors, as many results as inputs): applied, ids interchangeable.
    const twins = mapCreateOutcomes([plain(0, 'same'), plain(1, 'same')], { results: [result('8', { hs_note_body: 'same' }), result('9', { hs_note_body: 'same' })] });
    expect(twins.perInput).toEqual([
      { kind: 'applied-unmatched', candidateIds: ['8', '9'] },
      { kind: 'applied-unmatched', candidateIds: ['8', '9'] },
    ]);
    expect(twins.anomalies).toEqual([]);
  });

  it('leaves open, never assumes, what an answer of an unexpected shape does not settle', () => {
    const inputs = [input(0), input(1)];
    expect(mapCreateOutcomes(inputs, { status: 'COMPLETE' }).perInput.map((o) => o.kind)).toEqual(['unknown', 'unknown']);
    expect(mapCreateOutcomes(inputs, 'oops').perInput.map((o) => o.kind)).toEqual(['unknown', 'unknown']);

    // An error without context: it may be either input's, so the one not answered stays open.
    const untraced = mapCreateOutcomes(inputs, { results: [result('1', inputs[0]!.properties)], numErrors: 1, errors: [{ category: 'VALIDATION_ERROR', message: 'x' }] });
    expect(untraced.perInput.map((o) => o.kind)).toEqual(['applied', 'unknown']);
    expect(untraced.anomalies[0]).toMatch(/without an input/);

    // Fewer results than inputs and no error: which one is missing is not known.
    const missing = mapCreateOutcomes([{ ...inputs[0]!, properties: { a: '1' } }, { ...inputs[1]!, properties: { a: '1' } }], { results: [result('1', { a: '1' })] });
    expect(missing.perInput.map((o) => o.kind)).toEqual(['unknown', 'unknown']);

    // More results than inputs: the matched one is certain, the extra is reported.
    const extra = mapCreateOutcomes([input(0)], { results: [result('1', input(0).properties), result('2', { hs_note_body: 'stranger' })] });
    expect(extra.perInput).toMatchObject([{ kind: 'applied', record: { id: '1' } }]);
    expect(extra.anomalies).toEqual(['2 results for 1 inputs', '1 result(s) match no input: 2']);

    // numErrors disagreeing with the errors listed.
    const counted = mapCreateOutcomes([{ ...inputs[0]!, properties: {} }], { results: [result('1', {})], numErrors: 1, errors: [] });
    expect(counted.perInput.map((o) => o.kind)).toEqual(['unknown']);
  });

  it('two results carrying one input’s marker leave that input open', () => {
    const { perInput, anomalies } = mapCreateOutcomes([input(0)], { results: [result('1', input(0).properties), result('2', input(0).properties)] });
    expect(perInput.map((o) => o.kind)).toEqual(['unknown']);
    expect(anomalies.join()).toMatch(/two answers for one input/);
  });

  it('takes the last marker in a body: the one the writer appended, not one a draft quoted', () => {
    const quoted = `<p>As the earlier note said (${markerOf(commandId(1))}) …</p><p>${markerOf(commandId(2))}</p>`;
    expect(markerIn({ hs_note_body: quoted })).toBe(commandId(2));
    expect(markerIn({ hs_note_body: 'no marker' })).toBeUndefined();
  });
});
