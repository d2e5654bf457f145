import { randomBytes } from 'crypto';
import type { MessageBody, UsageBody } from './anthropic.types';
import type { CacheUsage } from './prompt-cache';
import { findModel } from './model-rules';
import { signThinking } from './model-request.rules';
import { generateFromSchema, vocabulary } from './schema-value.generator';
import { DeterministicRng, sha256Hex } from '../shared/deterministic-rng';
import { blockText, estimateTokens } from './token-estimator';

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random ids shaped like the API's: `msg_01…`, `toolu_01…`, `req_011C…`. */
export function apiId(prefix: 'msg_01' | 'toolu_01' | 'req_011C', length = 22): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const byte of bytes) out += BASE62[byte % 62];
  return out;
}

/** The conversation text (system and messages, not tool definitions). */
export function conversationText(body: Obj): string {
  const parts: string[] = [];
  if (typeof body.system === 'string') parts.push(body.system);
  else if (Array.isArray(body.system)) parts.push(...body.system.map(blockText));
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) {
      if (!isObj(m)) continue;
      if (typeof m.content === 'string') parts.push(m.content);
      else if (Array.isArray(m.content)) parts.push(...m.content.map(blockText));
    }
  }
  return parts.join('\n');
}

function customTools(body: Obj): Obj[] {
  return Array.isArray(body.tools) ? body.tools.filter((t): t is Obj => isObj(t) && (t.type === undefined || t.type === 'custom')) : [];
}

/** The tool the model will call: the forced one, else the first tool (tool_choice any/auto/absent); none for `none`. */
export function chosenTool(body: Obj): Obj | undefined {
  const tools = customTools(body);
  const choice = isObj(body.tool_choice) ? body.tool_choice : undefined;
  if (choice?.type === 'none') return undefined;
  if (choice?.type === 'tool') return tools.find((t) => t.name === choice.name);
  return tools[0];
}

export interface ScriptedContent {
  content: Array<Record<string, unknown>>;
  stop_reason?: string;
  usage?: Partial<UsageBody>;
}

export interface ComposeInput {
  body: Obj;
  cache: CacheUsage;
  scripted?: ScriptedContent;
}

/** Thinking tokens a model spends before answering, by effort (deterministic, so tests can plan `max_tokens`). */
export const THINKING_TOKENS: Record<string, number> = { low: 120, medium: 480, high: 1_400, xhigh: 3_000, max: 5_000 };

interface Thinking {
  tokens: number;
  display: 'summarized' | 'omitted';
}

/** Whether and how much the model thinks for this request: adaptive thinking unless turned off, at the request's or the model's effort. */
function thinkingFor(body: Obj): Thinking | undefined {
  const model = findModel(String(body.model));
  if (!model) return undefined;
  const requested = isObj(body.thinking) ? String(body.thinking.type) : model.thinking[0];
  if (requested === 'disabled' || requested === 'between_tools') return undefined;
  const config = isObj(body.output_config) ? body.output_config : {};
  const effort = typeof config.effort === 'string' ? config.effort : (model.defaultEffort ?? 'high');
  if (requested === 'enabled') {
    const budget = isObj(body.thinking) && typeof body.thinking.budget_tokens === 'number' ? body.thinking.budget_tokens : 1024;
    return { tokens: Math.min(budget, THINKING_TOKENS[effort] ?? 1_400), display: displayOf(body, model.defaultDisplay) };
  }
  return { tokens: THINKING_TOKENS[effort] ?? 1_400, display: displayOf(body, model.defaultDisplay) };
}

function displayOf(body: Obj, fallback: 'summarized' | 'omitted'): 'summarized' | 'omitted' {
  const display = isObj(body.thinking) ? body.thinking.display : undefined;
  return display === 'summarized' || display === 'omitted' ? display : fallback;
}

/** The structured-output schema a request asks for, if any. */
function outputSchema(body: Obj): unknown {
  const config = isObj(body.output_config) ? body.output_config : undefined;
  const format = config && isObj(config.format) ? config.format : isObj(body.output_format) ? body.output_format : undefined;
  return format?.type === 'json_schema' ? format.schema : undefined;
}

/**
 * Builds the assistant message for a request: scripted blocks completed, or a
 * deterministic answer. A thinking model's reply starts with a thinking block
 * (its text empty unless `display: summarized`) whose tokens count as output and
 * against `max_tokens`: a reply that runs out of room while thinking has no
 * answer at all. The answer is the structured output's JSON in a text block when
 * `output_config.format` is set, else a call of the chosen tool, else text.
 */
export function composeReply({ body, cache, scripted }: ComposeInput): MessageBody {
  const model = String(body.model);
  const seed = sha256Hex(JSON.stringify({ model, system: body.system ?? null, messages: body.messages ?? [] }));
  const words = vocabulary(conversationText(body));
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : Infinity;
  const tools = customTools(body);

  let content: Array<Record<string, unknown>>;
  let stopReason: string;
  let thinkingTokens = 0;
  if (scripted) {
    content = scripted.content.map((block, index) => completeBlock(block, index, tools, chosenTool(body), seed, words));
    stopReason = scripted.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    // A scripted thinking block costs what its text would, and at least one token (an omitted one has no text).
    thinkingTokens = content.filter((b) => b.type === 'thinking' || b.type === 'redacted_thinking').reduce((n, b) => n + Math.max(1, estimateTokens(String(b.thinking ?? ''))), 0);
  } else {
    content = [];
    const thinking = thinkingFor(body);
    let room = maxTokens;
    if (thinking) {
      const rng = new DeterministicRng(`${seed}:thinking`);
      const summary = thinking.display === 'summarized' ? `Weighing ${Array.from({ length: rng.int(6, 12) }, () => rng.pick(words.length > 0 ? words : ['the', 'request'])).join(' ')}.` : '';
      thinkingTokens = Math.min(thinking.tokens, maxTokens);
      content.push({ type: 'thinking', thinking: summary, signature: signThinking(summary, seed.slice(0, 16)) });
      room = maxTokens - thinkingTokens;
    }
    const schema = outputSchema(body);
    const tool = schema === undefined ? chosenTool(body) : undefined;
    if (room <= 0) {
      stopReason = 'max_tokens';
    } else if (schema !== undefined) {
      const text = JSON.stringify(generateFromSchema(schema, `${seed}:output`, { words }));
      stopReason = 'end_turn';
      if (estimateTokens(text) > room) {
        content.push({ type: 'text', text: text.slice(0, room * 4), citations: null });
        stopReason = 'max_tokens';
      } else {
        content.push({ type: 'text', text, citations: null });
      }
    } else if (tool) {
      const input = generateFromSchema(tool.input_schema, `${seed}:${String(tool.name)}`, { words });
      stopReason = 'tool_use';
      if (estimateTokens(JSON.stringify(input)) + 10 > room) {
        content.push({ type: 'tool_use', id: apiId('toolu_01'), name: tool.name, input: {} });
        stopReason = 'max_tokens';
      } else {
        content.push({ type: 'tool_use', id: apiId('toolu_01'), name: tool.name, input });
      }
    } else {
      const rng = new DeterministicRng(seed);
      const sentence = Array.from({ length: rng.int(8, 16) }, () => rng.pick(words.length > 0 ? words : ['ok'])).join(' ');
      let text = `Deterministic reply ${seed.slice(0, 8)}: ${sentence}.`;
      stopReason = 'end_turn';
      if (estimateTokens(text) > room) {
        text = text.slice(0, room * 4);
        stopReason = 'max_tokens';
      }
      content.push({ type: 'text', text, citations: null });
    }
  }

  const answerTokens = content.filter((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking').reduce((n, b) => n + estimateTokens(blockText(b)), 0);
  const outputTokens = Math.max(1, thinkingTokens + answerTokens);
  const usage: UsageBody = {
    input_tokens: cache.uncachedTokens,
    cache_creation_input_tokens: cache.cacheCreationTokens,
    cache_read_input_tokens: cache.cacheReadTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: cache.cacheCreationTokens - cache.cacheCreation1hTokens,
      ephemeral_1h_input_tokens: cache.cacheCreation1hTokens,
    },
    output_tokens: outputTokens,
    output_tokens_details: { thinking_tokens: thinkingTokens },
    service_tier: 'standard',
    ...(scripted?.usage ?? {}),
  };
  return { id: apiId('msg_01'), type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage };
}

function completeBlock(
  block: Record<string, unknown>,
  index: number,
  tools: Obj[],
  fallbackTool: Obj | undefined,
  seed: string,
  words: string[],
): Record<string, unknown> {
  if (block.type === 'text') return { type: 'text', text: String(block.text ?? ''), citations: block.citations ?? null };
  if (block.type === 'thinking') {
    const text = String(block.thinking ?? '');
    return { type: 'thinking', thinking: text, signature: typeof block.signature === 'string' ? block.signature : signThinking(text, `${seed.slice(0, 12)}${index}`) };
  }
  if (block.type !== 'tool_use') return { ...block };
  const name = typeof block.name === 'string' ? block.name : String(fallbackTool?.name ?? 'tool');
  const tool = tools.find((t) => t.name === name);
  const input = block.input !== undefined ? block.input : tool ? generateFromSchema(tool.input_schema, `${seed}:${name}:${index}`, { words }) : {};
  return { type: 'tool_use', id: typeof block.id === 'string' ? block.id : apiId('toolu_01'), name, input };
}
