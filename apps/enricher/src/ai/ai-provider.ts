import type { TokenUsage } from '@app/common';
import type { RenderedPrompt } from '../prompts/prompt';

/** What a provider answered for one rendered prompt, with everything the audit needs. */
export interface AiAnswer {
  provider: 'anthropic' | 'offline-rules';
  model: string;
  /** Exactly what was sent: the Messages API request body, or the offline scorer's input. */
  input: unknown;
  /** The answer the model produced (structured-output JSON, or a tool call's input), not yet validated. */
  output: unknown;
  /** The whole reply as the provider gave it (every content block, text before the tool call included): what an operator inspects when the answer is unusable. */
  raw: unknown;
  usage: TokenUsage;
  latencyMs: number;
  /** Present when no AI model made the decision. */
  label?: string;
  /** The tool call's id, when the answer came as a tool call, so a repair request can answer it with the validation errors. */
  toolUseId?: string;
  /** What the model thought before answering: kept for the audit, never part of the answer or of a writeback. */
  reasoning?: Reasoning;
}

/** A thinking model's reasoning: summaries where the API returned them, and how many tokens it spent (billed as output). */
export interface Reasoning {
  thinkingTokens: number;
  summaries: string[];
  /** Blocks the API returned encrypted (redacted thinking): counted, not readable. */
  redactedBlocks: number;
}

/** A second chance for an answer that failed validation: the model sees its answer and what was wrong. */
export interface RepairRequest {
  previous: AiAnswer;
  problems: string[];
}

export interface AnswerOptions {
  /** A second chance after an answer failed validation. */
  repair?: RepairRequest;
  /** The previous reply ran out of room (while thinking): ask with more. */
  moreRoom?: boolean;
}

export interface AiProvider {
  readonly name: AiAnswer['provider'];
  /** The model that would answer this prompt (a version's own, else the configured one): part of what makes two decisions interchangeable. */
  modelFor(prompt: Pick<RenderedPrompt, 'model'>): string;
  answer(prompt: RenderedPrompt, facts: Record<string, string>, options?: AnswerOptions): Promise<AiAnswer>;
}

export const AI_PROVIDER = Symbol('AI_PROVIDER');

/**
 * Why a model could not be asked, by what the API answered (its status and error
 * type), never by its message text:
 * - `request-rejected` (400): a request setting the model refuses — a configuration error, raised as an alert;
 * - `model-not-found` (404): the model id is unknown or retired — also configuration;
 * - `request-too-large` (413): this input only;
 * - `authentication`, `permission`, `billing` (401/403/402): the account;
 * - `rate-limited`, `overloaded`, `conflict` (409), `server-error`, `timeout`, `connection`: passing, retried.
 */
export type AiFailureCategory =
  | 'request-rejected'
  | 'model-not-found'
  | 'request-too-large'
  | 'authentication'
  | 'permission'
  | 'billing'
  | 'rate-limited'
  | 'overloaded'
  | 'conflict'
  | 'server-error'
  | 'timeout'
  | 'connection';

const RETRIABLE: ReadonlySet<AiFailureCategory> = new Set(['rate-limited', 'overloaded', 'conflict', 'server-error', 'timeout', 'connection']);

export function isRetriable(category: AiFailureCategory): boolean {
  return RETRIABLE.has(category);
}

export class AiProviderError extends Error {
  readonly retriable: boolean;

  constructor(
    message: string,
    readonly category: AiFailureCategory,
    readonly details: {
      /** The API's HTTP status, when it answered. */
      status?: number;
      /** The API's error type (`invalid_request_error`, `overloaded_error`, …). */
      code?: string;
      retryAfterMs?: number;
      /** The request setting a 400 names (`tool_choice`, `thinking.type.disabled`), for the operator's alert. */
      setting?: string | null;
      model?: string;
    } = {},
  ) {
    super(message);
    this.name = 'AiProviderError';
    this.retriable = isRetriable(category);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }

  /** The model or the account is set up wrong: every request like this one fails the same way until an operator acts. */
  get isConfiguration(): boolean {
    return this.category === 'request-rejected' || this.category === 'model-not-found';
  }
}

/**
 * Why a paid-for reply is no answer: it ran out of room (inside its thinking, or
 * mid-answer, or it only thought: asked once more with more room), the model
 * declined, the context window was exceeded, or it ended without any block.
 */
export type UnusableReason = 'no-room' | 'refused' | 'context-exceeded' | 'no-answer';

/**
 * The model replied, and was paid for, but the reply cannot become a decision (it
 * ran out of tokens, or never called the tool). Carries the reply so the failure
 * is recorded with what the model said and what it cost.
 */
export class UnusableAnswerError extends Error {
  readonly retriable = false;

  constructor(
    message: string,
    readonly reason: UnusableReason,
    readonly answer: AiAnswer,
  ) {
    super(message);
    this.name = 'UnusableAnswerError';
  }
}

export const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
