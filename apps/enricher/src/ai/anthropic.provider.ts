import Anthropic from '@anthropic-ai/sdk';
import { AiProviderError, UnusableAnswerError, type AiAnswer, type AiProvider, type RepairRequest } from './ai-provider';
import type { RenderedPrompt } from '../prompts/prompt';

export interface AnthropicProviderOptions {
  apiKey: string;
  baseURL?: string;
  defaultModel: string;
  timeoutMs?: number;
  maxRetries?: number;
}

/**
 * Claude through the official SDK: structured output by forcing one tool whose
 * input schema is the prompt's output schema. The SDK retries 408/409/429/5xx/529
 * honouring retry-after; what still fails is reported as retriable or not.
 */
export class AnthropicProvider implements AiProvider {
  readonly name = 'anthropic' as const;
  private readonly client: Anthropic;

  constructor(
    private readonly options: AnthropicProviderOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutMs ?? 60_000, maxRetries: options.maxRetries ?? 2 });
  }

  modelFor(prompt: RenderedPrompt): string {
    return prompt.model ?? this.options.defaultModel;
  }

  async answer(prompt: RenderedPrompt, _facts?: Record<string, string>, repair?: RepairRequest): Promise<AiAnswer> {
    const request = buildMessagesRequest(prompt, this.options.defaultModel, repair);
    const started = this.now();
    let response: Anthropic.Message;
    try {
      response = await this.client.messages.create(request);
    } catch (error) {
      throw toProviderError(error);
    }
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
      },
      latencyMs: this.now() - started,
    };
    if (response.stop_reason === 'max_tokens') throw new UnusableAnswerError('the model ran out of tokens before finishing its answer', answer);
    // With tool_choice the tool call is usually the only block, but a text block may
    // precede it: look for it rather than reading content[0].
    const toolUse = response.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use' && block.name === prompt.tool.name);
    if (!toolUse) throw new UnusableAnswerError(`the model did not call ${prompt.tool.name} (stop_reason ${response.stop_reason})`, answer);
    return { ...answer, output: toolUse.input, toolUseId: toolUse.id };
  }
}

export function buildMessagesRequest(prompt: RenderedPrompt, defaultModel: string, repair?: RepairRequest): Anthropic.MessageCreateParamsNonStreaming {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: prompt.user }];
  if (repair) {
    // The Messages API way to say "that tool call was wrong": answer it with an error tool_result.
    const id = repair.previous.toolUseId ?? 'toolu_previous';
    messages.push(
      { role: 'assistant', content: [{ type: 'tool_use', id, name: prompt.tool.name, input: repair.previous.output as Record<string, unknown> }] },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: id,
            is_error: true,
            content: `The input failed validation: ${repair.problems.join('; ')}. Call ${prompt.tool.name} again with input that satisfies the schema.`,
          },
        ],
      },
    );
  }
  return {
    model: prompt.model ?? defaultModel,
    max_tokens: prompt.maxTokens,
    // The system prompt is static per prompt version: mark it for prompt caching.
    system: [{ type: 'text', text: prompt.system, cache_control: { type: 'ephemeral' } }],
    tools: [{ name: prompt.tool.name, description: prompt.tool.description, input_schema: prompt.tool.inputSchema as Anthropic.Tool.InputSchema }],
    tool_choice: { type: 'tool', name: prompt.tool.name },
    messages,
  };
}

function toProviderError(error: unknown): AiProviderError {
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    const retriable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
    const retryAfter = Number(error.headers?.get?.('retry-after'));
    return new AiProviderError(`Anthropic ${status ?? 'connection'} error: ${error.message}`, retriable, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined, status);
  }
  return new AiProviderError(`Anthropic call failed: ${error instanceof Error ? error.message : String(error)}`, true);
}
