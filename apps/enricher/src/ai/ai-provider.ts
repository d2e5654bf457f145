import type { TokenUsage } from '@app/common';
import type { RenderedPrompt } from '../prompts/prompt';

/** What a provider answered for one rendered prompt, with everything the audit needs. */
export interface AiAnswer {
  provider: 'anthropic' | 'offline-rules';
  model: string;
  /** Exactly what was sent: the Messages API request body, or the offline scorer's input. */
  input: unknown;
  /** The tool input the model produced, not yet validated. */
  output: unknown;
  usage: TokenUsage;
  latencyMs: number;
  /** Present when no AI model made the decision. */
  label?: string;
  /** The tool call's id, so a repair request can answer it with the validation errors. */
  toolUseId?: string;
}

/** A second chance for an answer that failed validation: the model sees its answer and what was wrong. */
export interface RepairRequest {
  previous: AiAnswer;
  problems: string[];
}

export interface AiProvider {
  readonly name: AiAnswer['provider'];
  /** The model that would answer this prompt: part of what makes two decisions interchangeable. */
  modelFor(prompt: RenderedPrompt): string;
  answer(prompt: RenderedPrompt, facts: Record<string, string>, repair?: RepairRequest): Promise<AiAnswer>;
}

export const AI_PROVIDER = Symbol('AI_PROVIDER');

export class AiProviderError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AiProviderError';
  }
}

export const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
