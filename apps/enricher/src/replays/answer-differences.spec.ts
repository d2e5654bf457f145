import { answerDifferences } from './answer-differences';

describe('answerDifferences', () => {
  it('names each field that differs, compares lists by value, and treats an absent field as undefined', () => {
    const before = { score: 40, persona: 'researcher', painPoints: ['price', 'speed'], summary: 'x', recommendedAction: 'call' };
    const after = { score: 90, persona: 'researcher', painPoints: ['price', 'speed'], summary: 'x', emailDraft: 'Hi', recommendedAction: undefined };
    expect(answerDifferences(before, after)).toEqual([
      { field: 'score', before: 40, after: 90 },
      { field: 'recommendedAction', before: 'call', after: undefined },
      { field: 'emailDraft', before: undefined, after: 'Hi' },
    ]);
    expect(answerDifferences({ painPoints: ['a'] }, { painPoints: ['a', 'b'] })).toEqual([{ field: 'painPoints', before: ['a'], after: ['a', 'b'] }]);
    expect(answerDifferences({ a: undefined }, {})).toEqual([]);
  });
});
