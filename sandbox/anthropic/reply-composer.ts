import { randomBytes } from 'crypto';
import type { MessageBody, UsageBody } from './anthropic.types';
import type { CacheUsage } from './prompt-cache';
import { generateFromSchema, vocabulary } from './schema-value.generator';
import { DeterministicRng, sha256Hex } from './deterministic-rng';
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

/** Builds the assistant message for a request: scripted blocks completed, or a deterministic answer. */
export function composeReply({ body, cache, scripted }: ComposeInput): MessageBody {
  const model = String(body.model);
  const seed = sha256Hex(JSON.stringify({ model, system: body.system ?? null, messages: body.messages ?? [] }));
  const words = vocabulary(conversationText(body));
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : Infinity;
  const tools = customTools(body);

  let content: Array<Record<string, unknown>>;
  let stopReason: string;
  if (scripted) {
    content = scripted.content.map((block, index) => completeBlock(block, index, tools, chosenTool(body), seed, words));
    stopReason = scripted.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  } else {
    const tool = chosenTool(body);
    if (tool) {
      const input = generateFromSchema(tool.input_schema, `${seed}:${String(tool.name)}`, { words });
      content = [{ type: 'tool_use', id: apiId('toolu_01'), name: tool.name, input }];
      stopReason = 'tool_use';
      if (estimateTokens(JSON.stringify(input)) + 10 > maxTokens) {
        content = [{ type: 'tool_use', id: apiId('toolu_01'), name: tool.name, input: {} }];
        stopReason = 'max_tokens';
      }
    } else {
      const rng = new DeterministicRng(seed);
      const sentence = Array.from({ length: rng.int(8, 16) }, () => rng.pick(words.length > 0 ? words : ['ok'])).join(' ');
      let text = `Deterministic reply ${seed.slice(0, 8)}: ${sentence}.`;
      stopReason = 'end_turn';
      if (estimateTokens(text) > maxTokens) {
        text = text.slice(0, maxTokens * 4);
        stopReason = 'max_tokens';
      }
      content = [{ type: 'text', text, citations: null }];
    }
  }

  const outputTokens = Math.max(1, content.reduce((n, b) => n + estimateTokens(blockText(b)), 0));
  const usage: UsageBody = {
    input_tokens: cache.uncachedTokens,
    cache_creation_input_tokens: cache.cacheCreationTokens,
    cache_read_input_tokens: cache.cacheReadTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: cache.cacheCreationTokens - cache.cacheCreation1hTokens,
      ephemeral_1h_input_tokens: cache.cacheCreation1hTokens,
    },
    output_tokens: outputTokens,
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
  if (block.type !== 'tool_use') return { ...block };
  const name = typeof block.name === 'string' ? block.name : String(fallbackTool?.name ?? 'tool');
  const tool = tools.find((t) => t.name === name);
  const input = block.input !== undefined ? block.input : tool ? generateFromSchema(tool.input_schema, `${seed}:${name}:${index}`, { words }) : {};
  return { type: 'tool_use', id: typeof block.id === 'string' ? block.id : apiId('toolu_01'), name, input };
}
