import { estimateCostUsd } from './model-prices';

describe('estimateCostUsd', () => {
  it('prices input, output and both kinds of cache tokens by model family', () => {
    const usage = { inputTokens: 1_000, outputTokens: 200, cacheCreationInputTokens: 2_000, cacheReadInputTokens: 10_000 };
    // Sonnet: 1,000 × $3 + 200 × $15 + 2,000 × $3.75 + 10,000 × $0.30 per million.
    expect(estimateCostUsd('claude-sonnet-5-5', usage)).toBe(0.0165);
    expect(estimateCostUsd('claude-opus-4-5-20251101', usage)).toBeCloseTo(0.0275, 6);
    expect(estimateCostUsd('claude-opus-4-1', usage)).toBeCloseTo(0.0825, 6);
  });

  it('says it does not know rather than guessing', () => {
    expect(estimateCostUsd('offline-rules-v1', { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 })).toBeNull();
  });
});
