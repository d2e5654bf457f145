import type { PlatformMetrics } from '@app/common';
import { AiProviderError, UnusableAnswerError, type AiAnswer, type AiProvider, type AnswerOptions } from './ai-provider';
import { estimateCostUsd, modelSpec } from './model-catalogue';
import type { RenderedPrompt } from '../prompts/prompt';

/** The model label: a model the catalogue knows, else "other" (a configured name must not grow the series without bound). Pure. */
export function modelLabel(model: string): string {
  return modelSpec(model) ? model : 'other';
}

/**
 * Any AiProvider, counted: each call's outcome, latency, tokens and estimated cost,
 * and a failure's kind (the API's category, or why a paid reply was unusable), in
 * the platform's metrics. What the provider answers or throws passes through as it is.
 */
export class MeteredAiProvider implements AiProvider {
  readonly name: AiProvider['name'];

  constructor(
    private readonly inner: AiProvider,
    private readonly metrics: PlatformMetrics,
    private readonly now: () => number = Date.now,
  ) {
    this.name = inner.name;
  }

  modelFor(prompt: Pick<RenderedPrompt, 'model'>): string {
    return this.inner.modelFor(prompt);
  }

  async answer(prompt: RenderedPrompt, facts: Record<string, string>, options?: AnswerOptions): Promise<AiAnswer> {
    const labels = { provider: this.name, model: modelLabel(this.inner.modelFor(prompt)) };
    const started = this.now();
    try {
      const answer = await this.inner.answer(prompt, facts, options);
      this.record(labels, 'answered', answer);
      return answer;
    } catch (error) {
      if (error instanceof UnusableAnswerError) {
        this.record(labels, 'unusable', error.answer);
        this.metrics.modelFailures.inc({ ...labels, kind: `unusable:${error.reason}` });
      } else {
        this.metrics.modelCalls.inc({ ...labels, outcome: 'failed' });
        this.metrics.modelFailures.inc({ ...labels, kind: error instanceof AiProviderError ? error.category : 'other' });
      }
      throw error;
    } finally {
      this.metrics.modelLatency.observe(labels, (this.now() - started) / 1000);
    }
  }

  private record(labels: { provider: string; model: string }, outcome: 'answered' | 'unusable', answer: AiAnswer): void {
    this.metrics.modelCalls.inc({ ...labels, outcome });
    const { usage } = answer;
    const tokens: Record<string, number> = {
      input: usage.inputTokens,
      output: usage.outputTokens,
      cache_read: usage.cacheReadInputTokens,
      cache_creation: usage.cacheCreationInputTokens,
      thinking: usage.thinkingTokens ?? 0,
    };
    for (const [kind, count] of Object.entries(tokens)) if (count > 0) this.metrics.modelTokens.inc({ ...labels, kind }, count);
    const cost = answer.provider === 'anthropic' ? estimateCostUsd(answer.model, usage) : 0;
    if (cost) this.metrics.modelCost.inc(labels, cost);
  }
}
