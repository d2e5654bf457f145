import type { TokenUsage } from '@app/common';

/**
 * Everything the platform knows about each Claude model, in one table: how to
 * ask it (which request settings it refuses, whether it thinks by default), what
 * it costs, and when it goes away. The request builder, the cost report and the
 * boot-time model check all read this table; nothing else names a model's rules.
 *
 * Sources (Anthropic's documentation, read 2026-12-06): the models overview and
 * deprecations pages, the pricing page, the Sonnet 5.5 and Opus 5.5 migration
 * guides, the structured-outputs and prompt-caching pages. See
 * docs/decisions/0016-structured-outputs-on-current-models.md.
 */
export const MODEL_FACTS_CHECKED = '2026-12-06';

/** USD per million tokens. */
export interface TokenPrices {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export interface ModelSpec {
  id: string;
  /** Dated snapshot ids that name the same model. */
  snapshots?: readonly string[];
  lifecycle: 'active' | 'legacy' | 'deprecated';
  /** The earliest day Anthropic may retire it, when it has said so. */
  retiresOn?: string;
  maxOutputTokens: number;
  /**
   * Adaptive thinking is on unless turned off, and some models cannot turn it off:
   * thinking blocks come before the answer and count against `max_tokens`.
   */
  adaptiveThinking: boolean;
  /** Accepts `output_config.effort`. */
  effort: boolean;
  /** Accepts `output_config.format` (structured outputs: every model from the 4.5 generation on). */
  structuredOutputs: boolean;
  /** A cached prefix shorter than this is not cached (no error, no saving). */
  minCacheableTokens: number;
  prices: TokenPrices;
  /** Haiku 5.5 charges every token of a request at higher prices once its prompt passes a length. */
  longPrompt?: { overTokens: number; prices: TokenPrices };
}

/** The Message Batches API halves every price (it stacks with the cache multipliers). */
export const BATCH_DISCOUNT = 0.5;

const prices = (input: number, output: number, cacheRead: number): TokenPrices => ({ input, output, cacheWrite5m: input * 1.25, cacheWrite1h: input * 2, cacheRead });

/** Newest first. Retired models are absent: the API answers 404 for them. */
export const MODELS: readonly ModelSpec[] = [
  { id: 'claude-opus-5-5', lifecycle: 'active', retiresOn: '2027-09-22', maxOutputTokens: 128_000, adaptiveThinking: true, effort: true, structuredOutputs: true, minCacheableTokens: 512, prices: prices(4, 20, 0.2) },
  // Cache reads at $0.10 since 2026-10-07 (half Sonnet 5's rate), per the Sonnet 5.5 migration guide.
  { id: 'claude-sonnet-5-5', lifecycle: 'active', retiresOn: '2027-09-28', maxOutputTokens: 128_000, adaptiveThinking: true, effort: true, structuredOutputs: true, minCacheableTokens: 512, prices: prices(2, 10, 0.1) },
  {
    id: 'claude-haiku-5-5',
    lifecycle: 'active',
    retiresOn: '2027-10-07',
    maxOutputTokens: 128_000,
    adaptiveThinking: true,
    effort: true,
    structuredOutputs: true,
    minCacheableTokens: 512,
    prices: prices(0.1, 0.5, 0.01),
    longPrompt: { overTokens: 100_000, prices: prices(0.5, 2.5, 0.05) },
  },
  { id: 'claude-opus-5', lifecycle: 'legacy', retiresOn: '2027-07-24', maxOutputTokens: 128_000, adaptiveThinking: true, effort: true, structuredOutputs: true, minCacheableTokens: 512, prices: prices(5, 25, 0.5) },
  { id: 'claude-sonnet-5', lifecycle: 'legacy', retiresOn: '2027-06-30', maxOutputTokens: 128_000, adaptiveThinking: true, effort: true, structuredOutputs: true, minCacheableTokens: 1024, prices: prices(2, 10, 0.2) },
  { id: 'claude-opus-4-8', lifecycle: 'legacy', retiresOn: '2027-05-28', maxOutputTokens: 128_000, adaptiveThinking: true, effort: true, structuredOutputs: true, minCacheableTokens: 1024, prices: prices(5, 25, 0.5) },
  { id: 'claude-sonnet-4-6', lifecycle: 'legacy', retiresOn: '2027-02-17', maxOutputTokens: 64_000, adaptiveThinking: false, effort: true, structuredOutputs: true, minCacheableTokens: 1024, prices: prices(3, 15, 0.3) },
  { id: 'claude-haiku-4-5', snapshots: ['claude-haiku-4-5-20251001'], lifecycle: 'legacy', maxOutputTokens: 64_000, adaptiveThinking: false, effort: false, structuredOutputs: true, minCacheableTokens: 4096, prices: prices(1, 5, 0.1) },
  { id: 'claude-opus-4-5', snapshots: ['claude-opus-4-5-20251101'], lifecycle: 'deprecated', retiresOn: '2027-01-22', maxOutputTokens: 64_000, adaptiveThinking: false, effort: true, structuredOutputs: true, minCacheableTokens: 4096, prices: prices(5, 25, 0.5) },
];

/** The model a capability uses unless its prompt version names another. */
export const DEFAULT_MODELS = {
  /** Lead AI: quality matters (a score a rep acts on, a first-touch email). */
  quality: 'claude-sonnet-5-5',
  /** Service AI triage: speed and cost matter; a fixed set of labels. */
  fast: 'claude-haiku-5-5',
} as const;

export function modelSpec(model: string): ModelSpec | undefined {
  return MODELS.find((m) => m.id === model || m.snapshots?.includes(model));
}

/**
 * Cost of one call in USD, from list prices, or null for a model without a known
 * price. Thinking tokens are output tokens (`output_tokens` includes them). Pure.
 */
export function estimateCostUsd(model: string, usage: TokenUsage, options: { batch?: boolean } = {}): number | null {
  const spec = modelSpec(model);
  if (!spec) return null;
  const cacheWrite1h = usage.cacheCreation1hInputTokens ?? 0;
  const cacheWrite5m = usage.cacheCreationInputTokens - cacheWrite1h;
  const promptTokens = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
  const p = spec.longPrompt && promptTokens > spec.longPrompt.overTokens ? spec.longPrompt.prices : spec.prices;
  const usd =
    (usage.inputTokens * p.input + usage.outputTokens * p.output + cacheWrite5m * p.cacheWrite5m + cacheWrite1h * p.cacheWrite1h + usage.cacheReadInputTokens * p.cacheRead) / 1_000_000;
  return Math.round(usd * (options.batch ? BATCH_DISCOUNT : 1) * 1_000_000) / 1_000_000;
}
