import Anthropic from '@anthropic-ai/sdk';
import { AiProviderError, UnusableAnswerError, type AiAnswer, type AiFailureCategory, type AiProvider, type AnswerOptions, type Reasoning, type RepairRequest } from './ai-provider';
import { modelSpec, type ModelSpec } from './model-catalogue';
import { toStructuredOutputSchema } from './structured-output-schema';
import type { Effort, RenderedPrompt } from '../prompts/prompt';

export interface AnthropicProviderOptions {
  apiKey: string;
  baseURL?: string;
  /** The model for prompt versions that name none (ANTHROPIC_MODEL). */
  defaultModel: string;
  /** A fixed timeout for every request (tests); by default each request gets the time its max_tokens needs (timeoutFor). */
  timeoutMs?: number;
  maxRetries?: number;
}

/**
 * Claude through the official SDK, asked the way the current models accept
 * (docs/decisions/0016): the answer comes as structured output
 * (`output_config.format` with the answer's JSON schema), with no forced tool
 * choice, no sampling parameters and no prefill; thinking models think
 * adaptively, at the prompt version's effort, with room for it in `max_tokens`.
 * The reply is read by block type: thinking is kept apart as reasoning, the
 * answer is the text block's JSON (or a tool call's input, read either way). The
 * SDK retries 408/409/429/5xx/529 honouring retry-after; what still fails is
 * classified by status and error type.
 */
export class AnthropicProvider implements AiProvider {
  readonly name = 'anthropic' as const;
  private readonly client: Anthropic;

  constructor(
    private readonly options: AnthropicProviderOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.client = createAnthropicClient(options);
  }

  modelFor(prompt: Pick<RenderedPrompt, 'model'>): string {
    return prompt.model ?? this.options.defaultModel;
  }

  async answer(prompt: RenderedPrompt, _facts?: Record<string, string>, options: AnswerOptions = {}): Promise<AiAnswer> {
    const model = this.modelFor(prompt);
    const request = buildMessagesRequest(prompt, model, options);
    const started = this.now();
    let response: Anthropic.Message;
    try {
      // Long enough for the room asked for: a reply of max_tokens takes minutes, and a timeout would be retried and paid again.
      response = await this.client.messages.create(request, { timeout: this.options.timeoutMs ?? timeoutFor(request.max_tokens) });
    } catch (error) {
      throw toProviderError(error, model);
    }
    // Asking again with more room only helps when there is more to give (the ceiling may already be reached).
    const canGrow = maxTokensFor(prompt, modelSpec(model), true) > request.max_tokens;
    return readReply(prompt, request, response, this.now() - started, canGrow);
  }
}

/** The one place an Anthropic client is built (the enricher's provider and the boot-time model check share it). */
export function createAnthropicClient(options: Pick<AnthropicProviderOptions, 'apiKey' | 'baseURL' | 'timeoutMs' | 'maxRetries'>): Anthropic {
  return new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutMs ?? 120_000, maxRetries: options.maxRetries ?? 2 });
}

/** Room to think on top of the answer's own, by effort (adaptive thinking counts against `max_tokens`). */
const THINKING_ROOM: Record<Effort, number> = { low: 2_048, medium: 6_144, high: 12_288, xhigh: 24_576, max: 32_768 };
/** A thinking model's effort when the prompt version names none: Sonnet 5.5's API default. */
const DEFAULT_EFFORT: Effort = 'high';
/**
 * The most a non-streaming request asks for: the SDK estimates ten minutes for it (an hour per 128,000 tokens)
 * and, without an explicit timeout, refuses more. No decision of ours needs more.
 */
const MAX_NON_STREAMING_TOKENS = 21_000;

/** How long a request may take: the SDK's own estimate for its max_tokens (an hour per 128,000 tokens), at least a minute. */
export function timeoutFor(maxTokens: number): number {
  return Math.max(60_000, Math.ceil((60 * 60 * 1000 * maxTokens) / 128_000));
}

/** `max_tokens` for a prompt on a model: the answer's room, plus room to think, doubled once when a reply ran out. */
export function maxTokensFor(prompt: Pick<RenderedPrompt, 'maxTokens' | 'effort'>, spec: ModelSpec | undefined, moreRoom = false): number {
  const thinks = spec?.adaptiveThinking ?? true;
  const base = prompt.maxTokens + (thinks ? THINKING_ROOM[prompt.effort ?? DEFAULT_EFFORT] : 0);
  return Math.min(base * (moreRoom ? 2 : 1), spec?.maxOutputTokens ?? Infinity, MAX_NON_STREAMING_TOKENS);
}

/** Rough token count of text (≈3.5 characters a token for the 5.x tokenizer); used only to decide where caching pays. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

/**
 * The Messages API request for a prompt, per the model's rules (model-catalogue.ts).
 * A model the table does not know is asked as the strictest current model is.
 * Pure.
 */
export function buildMessagesRequest(prompt: RenderedPrompt, model: string, options: AnswerOptions = {}): Anthropic.MessageCreateParamsNonStreaming {
  const spec = modelSpec(model);
  if (spec && !spec.structuredOutputs) {
    throw new AiProviderError(`${model} has no structured outputs, which every prompt of this platform needs: choose a model from the 4.5 generation on`, 'request-rejected', { setting: 'output_config.format', model });
  }
  const schema = toStructuredOutputSchema(prompt.tool.inputSchema);
  // The static part (system text) is marked for caching only when it is long enough to be cached: below the
  // model's minimum the API neither caches nor complains, and the mark would only mislead a reader.
  const cacheable = estimateTokens(prompt.system) >= (spec?.minCacheableTokens ?? 512);
  const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: prompt.system, ...(cacheable ? { cache_control: { type: 'ephemeral' as const } } : {}) }];
  const outputConfig: Anthropic.OutputConfig = { format: { type: 'json_schema', schema } };
  if ((spec?.effort ?? true) && prompt.effort) outputConfig.effort = prompt.effort;
  return {
    model,
    max_tokens: maxTokensFor(prompt, spec, options.moreRoom),
    system,
    ...((spec?.adaptiveThinking ?? true) ? { thinking: { type: 'adaptive' as const, display: 'summarized' as const } } : {}),
    output_config: outputConfig,
    messages: conversation(prompt, options.repair),
  };
}

/**
 * The user's prompt, and for a repair the model's previous reply exactly as it came
 * (the API refuses a latest assistant turn whose thinking blocks were changed or
 * dropped) followed by what was wrong with it. The conversation always ends with
 * the user: the current models refuse assistant prefill.
 */
function conversation(prompt: RenderedPrompt, repair: RepairRequest | undefined): Anthropic.MessageParam[] {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: prompt.user }];
  if (!repair) return messages;
  const raw = Array.isArray(repair.previous.raw) ? (repair.previous.raw as Anthropic.ContentBlockParam[]) : [];
  // A reply that answered with a tool call cannot go back as it came: a request without tools may not hold tool_use
  // blocks. Its answer goes back as the JSON text a structured output would have been.
  const asItCame = raw.length > 0 && !raw.some((b) => b.type === 'tool_use');
  const previous: Anthropic.ContentBlockParam[] = asItCame ? raw : [{ type: 'text', text: JSON.stringify(repair.previous.output) }];
  const problems = `Your answer failed validation: ${repair.problems.join('; ')}. Answer again with JSON that satisfies the schema and every constraint in its descriptions.`;
  messages.push({ role: 'assistant', content: previous }, { role: 'user', content: problems });
  return messages;
}

/** An answer from a reply, read by block type; a reply that holds no answer is an UnusableAnswerError with the reply. */
export function readReply(prompt: RenderedPrompt, request: Anthropic.MessageCreateParamsNonStreaming, response: Anthropic.Message, latencyMs: number, canGrow = true): AiAnswer {
  const reasoning = reasoningOf(response);
  const answer: AiAnswer = {
    provider: 'anthropic',
    model: response.model,
    input: request,
    output: undefined,
    raw: response.content,
    usage: {
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      cacheReadInputTokens: response.usage.cache_read_input_tokens ?? 0,
      cacheCreationInputTokens: response.usage.cache_creation_input_tokens ?? 0,
      cacheCreation1hInputTokens: response.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0,
      thinkingTokens: reasoning.thinkingTokens,
    },
    latencyMs,
    ...(reasoning.summaries.length > 0 || reasoning.redactedBlocks > 0 || reasoning.thinkingTokens > 0 ? { reasoning } : {}),
  };
  const stop = response.stop_reason;
  if (stop === 'refusal') throw new UnusableAnswerError('the model declined to answer (stop_reason refusal)', 'refused', answer);
  if (stop === 'model_context_window_exceeded') throw new UnusableAnswerError('the prompt and answer exceed the model\'s context window', 'context-exceeded', answer);
  if (stop === 'max_tokens') {
    const where = response.content.some((b) => b.type === 'text' || b.type === 'tool_use') ? 'in its answer' : 'while thinking, before any answer';
    throw new UnusableAnswerError(`the model ran out of tokens ${where} (max_tokens ${request.max_tokens}${canGrow ? '' : ', the most this platform asks for'})`, canGrow ? 'no-room' : 'no-answer', answer);
  }
  // A tool call of the answer's name, where a model answered that way; otherwise the structured output's text.
  const toolUse = response.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === prompt.tool.name);
  if (toolUse) return { ...answer, output: toolUse.input, toolUseId: toolUse.id };
  const text = response.content
    .filter((b): b is Anthropic.TextBlock => b.type === 'text')
    .map((b) => b.text)
    .join('')
    .trim();
  if (text === '') {
    // A reply that only thought (adaptive thinking spent its turn) is asked again with more room; an empty one is not.
    const thoughtOnly = response.content.some((b) => b.type === 'thinking' || b.type === 'redacted_thinking');
    throw new UnusableAnswerError(`the reply holds no answer, only ${describeBlocks(response.content)} (stop_reason ${stop})`, thoughtOnly && canGrow ? 'no-room' : 'no-answer', answer);
  }
  return { ...answer, output: parseJson(text) };
}

/** The text as JSON, or the text itself (validation then says it is not an object, and the repair quotes it). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function reasoningOf(response: Anthropic.Message): Reasoning {
  const summaries = response.content.filter((b): b is Anthropic.ThinkingBlock => b.type === 'thinking').map((b) => b.thinking).filter((t) => t !== '');
  return {
    thinkingTokens: response.usage.output_tokens_details?.thinking_tokens ?? 0,
    summaries,
    redactedBlocks: response.content.filter((b) => b.type === 'redacted_thinking').length,
  };
}

function describeBlocks(content: Anthropic.ContentBlock[]): string {
  if (content.length === 0) return 'no blocks';
  const counts = new Map<string, number>();
  for (const block of content) counts.set(block.type, (counts.get(block.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
}

const CATEGORY_BY_STATUS: Record<number, AiFailureCategory> = {
  400: 'request-rejected',
  401: 'authentication',
  402: 'billing',
  403: 'permission',
  404: 'model-not-found',
  408: 'timeout',
  409: 'conflict',
  413: 'request-too-large',
  429: 'rate-limited',
  504: 'timeout',
  529: 'overloaded',
};

/** An SDK error as a classified failure: by HTTP status and the API's error type, never by message text. */
export function toProviderError(error: unknown, model: string): AiProviderError {
  if (error instanceof Anthropic.APIConnectionTimeoutError) return new AiProviderError(`Anthropic request timed out: ${error.message}`, 'timeout', { model });
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    const status = error.status;
    const category = CATEGORY_BY_STATUS[status] ?? (status >= 500 ? 'server-error' : 'request-rejected');
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const code = body?.error?.type;
    const apiMessage = body?.error?.message ?? error.message;
    const retryAfter = Number(error.headers?.get?.('retry-after'));
    return new AiProviderError(`Anthropic ${status} ${code ?? 'error'} for ${model}: ${apiMessage}`, category, {
      status,
      ...(code ? { code } : {}),
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      ...(category === 'request-rejected' ? { setting: settingNamed(apiMessage) } : {}),
      model,
    });
  }
  return new AiProviderError(`Anthropic call failed: ${error instanceof Error ? error.message : String(error)}`, 'connection', { model });
}

/**
 * The request setting a 400's message names, for the operator's alert: the field
 * path the API puts first (`tool_choice: …`, `temperature: Extra inputs …`) or
 * quotes (`"thinking.type.disabled" is not supported…`). Only for display: the
 * failure is classified by its status, whatever this finds.
 */
export function settingNamed(message: string): string | null {
  const path = /^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*):\s/i.exec(message) ?? /^"([a-z_][a-z0-9_.]*)"/i.exec(message);
  if (path) return path[1]!;
  return /prefill/i.test(message) ? 'assistant prefill' : null;
}
