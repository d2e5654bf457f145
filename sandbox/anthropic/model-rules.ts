/**
 * What the Messages API accepts, model by model, as Anthropic documents it
 * (models overview, deprecations, the Sonnet 5.5 / Opus 5.5 / Haiku 5.5 migration
 * guides, structured outputs, prompt caching; read 2026-12-06). The double refuses
 * what the API refuses, with the API's messages where the docs quote them.
 *
 * Written apart from the platform's own model table on purpose: a double that
 * read the platform's rules would agree with its mistakes.
 */
export type ThinkingType = 'adaptive' | 'between_tools' | 'disabled' | 'enabled';

export interface DoubleModel {
  id: string;
  /** Dated snapshot ids of the same model. */
  snapshots?: string[];
  displayName: string;
  createdAt: string;
  lifecycle: 'active' | 'deprecated' | 'retired';
  /** When Anthropic retires it, once announced (GET /v1/models says so). */
  retiresAt?: string;
  contextWindow: number;
  maxOutputTokens: number;
  /** Accepted `thinking.type` values; the first is what a request without `thinking` gets ('disabled' = no thinking). */
  thinking: ThinkingType[];
  /** Whether a thinking block's text comes back (`summarized`) or empty with its signature (`omitted`) by default. */
  defaultDisplay: 'summarized' | 'omitted';
  forcedToolChoice: boolean;
  /** Under API version 2023-06-01: 'any' value, or only the defaults (a non-default value answers 400). 2026-10-21 refuses them all. */
  sampling: 'any' | 'defaults-only';
  prefill: boolean;
  structuredOutputs: boolean;
  /** Accepted `output_config.effort` values; empty when the model has no effort setting. */
  effort: string[];
  defaultEffort?: string;
  minCacheableTokens: number;
}

const ALL_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'];

const CURRENT_5_5 = {
  lifecycle: 'active' as const,
  contextWindow: 1_000_000,
  maxOutputTokens: 128_000,
  defaultDisplay: 'omitted' as const,
  forcedToolChoice: false,
  sampling: 'defaults-only' as const,
  prefill: false,
  structuredOutputs: true,
  effort: ALL_EFFORTS,
  minCacheableTokens: 512,
};

/** The 4.5 generation: thinking off unless enabled with a budget, prefill and forced tool choice accepted. */
const GENERATION_4_5 = {
  lifecycle: 'active' as const,
  contextWindow: 200_000,
  maxOutputTokens: 64_000,
  thinking: ['disabled', 'enabled'] as ThinkingType[],
  defaultDisplay: 'summarized' as const,
  forcedToolChoice: true,
  sampling: 'any' as const,
  prefill: true,
  structuredOutputs: true,
  minCacheableTokens: 4096,
};

export const DOUBLE_MODELS: DoubleModel[] = [
  { id: 'claude-opus-5-5', displayName: 'Claude Opus 5.5', createdAt: '2026-09-22T00:00:00Z', ...CURRENT_5_5, thinking: ['adaptive'], defaultEffort: 'medium' },
  { id: 'claude-sonnet-5-5', displayName: 'Claude Sonnet 5.5', createdAt: '2026-09-28T00:00:00Z', ...CURRENT_5_5, thinking: ['adaptive', 'between_tools'], defaultEffort: 'high' },
  // Haiku 5.5 keeps forced tool choice and may turn thinking off (at high effort or below).
  { id: 'claude-haiku-5-5', displayName: 'Claude Haiku 5.5', createdAt: '2026-10-07T00:00:00Z', ...CURRENT_5_5, thinking: ['adaptive', 'disabled'], forcedToolChoice: true, defaultEffort: 'medium' },
  { id: 'claude-opus-5', displayName: 'Claude Opus 5', createdAt: '2026-07-24T00:00:00Z', ...CURRENT_5_5, thinking: ['adaptive', 'disabled'], forcedToolChoice: true, sampling: 'any', defaultEffort: 'high' },
  { id: 'claude-sonnet-5', displayName: 'Claude Sonnet 5', createdAt: '2026-06-30T00:00:00Z', ...CURRENT_5_5, thinking: ['adaptive', 'disabled'], forcedToolChoice: true, sampling: 'any', minCacheableTokens: 1024, defaultEffort: 'high' },
  { id: 'claude-opus-4-8', displayName: 'Claude Opus 4.8', createdAt: '2026-05-28T00:00:00Z', ...CURRENT_5_5, thinking: ['adaptive', 'disabled'], forcedToolChoice: true, sampling: 'any', minCacheableTokens: 1024, defaultEffort: 'high' },
  {
    id: 'claude-sonnet-4-6',
    displayName: 'Claude Sonnet 4.6',
    createdAt: '2026-02-17T00:00:00Z',
    lifecycle: 'active',
    contextWindow: 1_000_000,
    maxOutputTokens: 64_000,
    thinking: ['disabled', 'adaptive', 'enabled'],
    defaultDisplay: 'summarized',
    forcedToolChoice: true,
    sampling: 'any',
    prefill: false,
    structuredOutputs: true,
    effort: ALL_EFFORTS,
    minCacheableTokens: 1024,
  },
  { id: 'claude-haiku-4-5', snapshots: ['claude-haiku-4-5-20251001'], displayName: 'Claude Haiku 4.5', createdAt: '2025-10-15T00:00:00Z', ...GENERATION_4_5, effort: [] },
  { id: 'claude-opus-4-5', snapshots: ['claude-opus-4-5-20251101'], displayName: 'Claude Opus 4.5', createdAt: '2025-11-24T00:00:00Z', ...GENERATION_4_5, lifecycle: 'deprecated', retiresAt: '2027-01-22T00:00:00Z', effort: ['low', 'medium', 'high'] },
  ...['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-sonnet-4-20250514', 'claude-opus-4-20250514', 'claude-3-7-sonnet-20250219', 'claude-3-5-haiku-20241022', 'claude-3-haiku-20240307'].map(
    (id): DoubleModel => ({ id, displayName: id, createdAt: '2025-01-01T00:00:00Z', ...GENERATION_4_5, lifecycle: 'retired', structuredOutputs: false, effort: [], minCacheableTokens: 1024 }),
  ),
];

/** A model the double serves (retired ones are known only to be refused), or undefined for an unknown id. */
export function findModel(id: string): DoubleModel | undefined {
  return DOUBLE_MODELS.find((m) => m.id === id || m.snapshots?.includes(id));
}

/** The API version the TypeScript SDK 1.x sends; it removed `temperature`, `top_p` and `top_k` from the Messages API. */
export const API_VERSION_2026_10_21 = '2026-10-21';
