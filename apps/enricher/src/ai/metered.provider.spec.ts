import { PlatformMetrics } from '@app/common';
import { LEAD_SCORING_PROMPT } from '../capabilities/lead-ai/lead-scoring.prompt';
import { renderPrompt } from '../prompts/prompt';
import { AiProviderError, NO_USAGE, UnusableAnswerError, type AiAnswer, type AiProvider } from './ai-provider';
import { MeteredAiProvider, modelLabel } from './metered.provider';
import { DEFAULT_MODELS } from './model-catalogue';

const prompt = renderPrompt(LEAD_SCORING_PROMPT, { objectType: 'contacts', objectId: '42', facts: { jobtitle: 'CEO' } });
const model = DEFAULT_MODELS.quality;
const answer: AiAnswer = {
  provider: 'anthropic',
  model,
  input: {},
  output: {},
  raw: [],
  usage: { inputTokens: 1_000, outputTokens: 200, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, thinkingTokens: 50 },
  latencyMs: 0,
};

/** A provider that answers with what each call is given: an answer, or an error to throw. */
function scripted(...outcomes: Array<AiAnswer | Error>): AiProvider {
  return {
    name: 'anthropic',
    modelFor: (p) => p.model ?? model,
    answer: async () => {
      const next = outcomes.shift()!;
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

const values = async (metrics: PlatformMetrics, name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values.map((v) => ({ ...v.labels, value: v.value }));

describe('MeteredAiProvider', () => {
  it('counts each call by outcome, its tokens by kind and its cost, and failures by kind, passing answers and errors through', async () => {
    const metrics = new PlatformMetrics('enricher', { processMetrics: false });
    const unusable = new UnusableAnswerError('the model declined', 'refused', { ...answer, usage: { ...NO_USAGE, inputTokens: 10 } });
    const overloaded = new AiProviderError('overloaded', 'overloaded', { status: 529 });
    const provider = new MeteredAiProvider(scripted(answer, unusable, overloaded, new TypeError('bug')), metrics);

    await expect(provider.answer(prompt, {})).resolves.toBe(answer);
    await expect(provider.answer(prompt, {})).rejects.toBe(unusable);
    await expect(provider.answer(prompt, {})).rejects.toBe(overloaded);
    await expect(provider.answer(prompt, {})).rejects.toBeInstanceOf(TypeError);

    const labels = { provider: 'anthropic', model };
    expect(await values(metrics, 'hubspot_ai_model_calls_total')).toEqual([
      { ...labels, outcome: 'answered', value: 1 },
      { ...labels, outcome: 'unusable', value: 1 },
      { ...labels, outcome: 'failed', value: 2 },
    ]);
    expect(await values(metrics, 'hubspot_ai_model_failures_total')).toEqual([
      { ...labels, kind: 'unusable:refused', value: 1 },
      { ...labels, kind: 'overloaded', value: 1 },
      { ...labels, kind: 'other', value: 1 },
    ]);
    expect(await values(metrics, 'hubspot_ai_model_tokens_total')).toEqual([
      { ...labels, kind: 'input', value: 1_010 },
      { ...labels, kind: 'output', value: 200 },
      { ...labels, kind: 'thinking', value: 50 },
    ]);
    const [cost] = await values(metrics, 'hubspot_ai_model_cost_usd_total');
    expect(cost!.value).toBeGreaterThan(0);
    const latency = (await metrics.registry.getSingleMetric('hubspot_ai_model_latency_seconds')!.get()).values.find((v) => (v as { metricName?: string }).metricName === 'hubspot_ai_model_latency_seconds_count');
    expect(latency!.value).toBe(4);
  });

  it('labels a model the catalogue does not know as "other", so a configured name cannot grow the series', () => {
    expect(modelLabel(model)).toBe(model);
    expect(modelLabel('my-fine-tune-2026-12-07')).toBe('other');
  });
});
