import { allPromptVersions } from '../capabilities/capability-registry';
import { BATCH_DISCOUNT, DEFAULT_MODELS, estimateCostUsd, MODEL_FACTS_CHECKED, modelSpec, MODELS } from './model-catalogue';

const usage = (u: Partial<Parameters<typeof estimateCostUsd>[1]>) => ({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, ...u });

describe('the model catalogue', () => {
  it('prices a Claude Sonnet 5.5 decision at list price, to the cent and below: $2 in, $10 out, $2.50/$4 cache writes, $0.10 cache reads', () => {
    // 12,000 in + 3,000 out (2,200 of them thinking) + 4,000 written to the 5-minute cache + 1,000 to the 1-hour one + 20,000 read:
    // 12,000 × 2 + 3,000 × 10 + 4,000 × 2.5 + 1,000 × 4 + 20,000 × 0.1 = 70,000 micro-dollars.
    const decision = usage({ inputTokens: 12_000, outputTokens: 3_000, thinkingTokens: 2_200, cacheCreationInputTokens: 5_000, cacheCreation1hInputTokens: 1_000, cacheReadInputTokens: 20_000 });
    expect(estimateCostUsd('claude-sonnet-5-5', decision)).toBe(0.07);
    // Thinking is output: it is in outputTokens already, never added twice.
    expect(estimateCostUsd('claude-sonnet-5-5', { ...decision, thinkingTokens: 0 })).toBe(0.07);
    expect(estimateCostUsd('claude-sonnet-5-5', decision, { batch: true })).toBe(0.07 * BATCH_DISCOUNT);
  });

  it('prices Haiku 5.5 by prompt length: every token of a prompt over 100,000 tokens at the higher prices', () => {
    expect(estimateCostUsd('claude-haiku-5-5', usage({ inputTokens: 100_000, outputTokens: 1_000 }))).toBe(0.0105);
    expect(estimateCostUsd('claude-haiku-5-5', usage({ inputTokens: 90_000, cacheReadInputTokens: 20_000, outputTokens: 1_000 }))).toBe(0.0485);
  });

  it('knows dated snapshot ids and says it does not know the rest rather than guessing', () => {
    expect(estimateCostUsd('claude-haiku-4-5-20251001', usage({ inputTokens: 1_000_000 }))).toBe(1);
    expect(estimateCostUsd('offline-rules-v1', usage({}))).toBeNull();
    expect(estimateCostUsd('claude-sonnet-4-5', usage({}))).toBeNull();
  });

  it('has a price for every model a prompt version or a default can use, and a date for when the facts were checked', () => {
    const used = new Set([...Object.values(DEFAULT_MODELS), ...allPromptVersions().flatMap((p) => (p.model ? [p.model] : []))]);
    for (const model of used) expect({ model, spec: modelSpec(model)?.prices }).toEqual({ model, spec: expect.objectContaining({ input: expect.any(Number), output: expect.any(Number) }) });
    expect(MODEL_FACTS_CHECKED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('holds the list prices as Anthropic publishes them (input, 5-minute write, 1-hour write, cache read, output per million tokens)', () => {
    const row = (model: string) => {
      const p = modelSpec(model)!.prices;
      return [p.input, p.cacheWrite5m, p.cacheWrite1h, p.cacheRead, p.output];
    };
    // The pricing page and the migration guides, read 2026-12-06.
    expect(row('claude-opus-5-5')).toEqual([4, 5, 8, 0.2, 20]);
    expect(row('claude-sonnet-5-5')).toEqual([2, 2.5, 4, 0.1, 10]);
    expect(row('claude-haiku-5-5')).toEqual([0.1, 0.125, 0.2, 0.01, 0.5]);
    expect(modelSpec('claude-haiku-5-5')!.longPrompt).toEqual({ overTokens: 100_000, prices: { input: 0.5, cacheWrite5m: 0.625, cacheWrite1h: 1, cacheRead: 0.05, output: 2.5 } });
    expect(row('claude-opus-5')).toEqual([5, 6.25, 10, 0.5, 25]);
    expect(row('claude-sonnet-4-6')).toEqual([3, 3.75, 6, 0.3, 15]);
    expect(row('claude-haiku-4-5')).toEqual([1, 1.25, 2, 0.1, 5]);
    expect(MODELS.map((m) => m.id)).not.toContain('claude-sonnet-4-5');
  });

  it('names current models as the defaults: the current Sonnet for quality, the current Haiku for speed and cost', () => {
    expect(DEFAULT_MODELS).toEqual({ quality: 'claude-sonnet-5-5', fast: 'claude-haiku-5-5' });
    expect(Object.values(DEFAULT_MODELS).map((m) => modelSpec(m)?.lifecycle)).toEqual(['active', 'active']);
  });
});
