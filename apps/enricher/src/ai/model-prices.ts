import type { TokenUsage } from '@app/common';

/** USD per million tokens. Cache writes (5-minute TTL) cost 1.25× input, cache reads 0.1×. */
interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/**
 * Anthropic's published list prices (anthropic.com/pricing, checked 2026-11), by
 * model-name prefix; the longest matching prefix wins. Update when prices change:
 * the figure is an estimate for the agency's cost reports, not a bill.
 */
const PRICES: Array<[prefix: string, price: ModelPrice]> = [
  ['claude-opus-4-5', { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 }],
  ['claude-opus-4', { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  ['claude-sonnet', { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }],
  ['claude-haiku-4', { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 }],
  ['claude-3-5-haiku', { input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08 }],
];

/** Estimated cost of one call in USD, or null for a model without a known price. Pure. */
export function estimateCostUsd(model: string, usage: TokenUsage): number | null {
  const match = PRICES.filter(([prefix]) => model.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0];
  if (!match) return null;
  const price = match[1];
  const usd =
    (usage.inputTokens * price.input + usage.outputTokens * price.output + usage.cacheCreationInputTokens * price.cacheWrite + usage.cacheReadInputTokens * price.cacheRead) / 1_000_000;
  return Math.round(usd * 1_000_000) / 1_000_000;
}
