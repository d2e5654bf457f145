import type { RenderedPrompt } from '../prompts/prompt';
import { AiProviderError, NO_USAGE, type AiAnswer, type AiProvider } from './ai-provider';

export const OFFLINE_MODEL = 'offline-rules-v1';
export const OFFLINE_LABEL = 'Offline rules-based provider: no AI model was called (AI_PROVIDER=offline, or no ANTHROPIC_API_KEY outside production)';

/** The rules of each capability, by its prompt id (the capability registry's `offlineRulesByPrompt`). */
export type OfflineRules = ReadonlyMap<string, (facts: Record<string, string>) => object>;

/**
 * Used when AI_PROVIDER=offline, or when no Anthropic key is configured outside
 * production (config/deployment.ts), so the platform runs end to end on a fresh
 * machine. It never pretends to be a model: every decision it makes carries
 * provider "offline-rules", model "offline-rules-v1" and a label saying so. The
 * rules themselves belong to each capability (capabilities/<name>/*-offline-rules.ts).
 */
export class OfflineRulesProvider implements AiProvider {
  readonly name = 'offline-rules' as const;

  constructor(private readonly rules: OfflineRules) {}

  modelFor(): string {
    return OFFLINE_MODEL;
  }

  async answer(prompt: RenderedPrompt, facts: Record<string, string>): Promise<AiAnswer> {
    const rules = this.rules.get(prompt.promptId);
    if (!rules) throw new AiProviderError(`the offline provider has no rules for prompt ${prompt.promptId}`, 'request-rejected', { code: 'no-rules', setting: null, model: OFFLINE_MODEL });
    const output = { ...rules(facts) } as Record<string, unknown>;
    return {
      provider: 'offline-rules',
      model: OFFLINE_MODEL,
      input: { promptId: prompt.promptId, promptVersion: prompt.promptVersion, facts },
      output,
      raw: output,
      usage: NO_USAGE,
      latencyMs: 0,
      label: OFFLINE_LABEL,
    };
  }
}
