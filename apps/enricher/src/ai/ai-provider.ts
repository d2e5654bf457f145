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
  /** The whole reply as the provider gave it (every content block, text before the tool call included): what an operator inspects when the answer is unusable. */
  raw: unknown;
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
    /** The API's HTTP status, when it answered: 400 and 413 are about this request, 401/403/404 about the set-up. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AiProviderError';
  }
}

/**
 * The model replied, and was paid for, but the reply cannot become a decision (it
 * ran out of tokens, or never called the tool). Carries the reply so the failure
 * is recorded with what the model said and what it cost.
 */
export class UnusableAnswerError extends AiProviderError {
  constructor(
    message: string,
    readonly answer: AiAnswer,
  ) {
    super(message, false);
    this.name = 'UnusableAnswerError';
  }
}

export const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
