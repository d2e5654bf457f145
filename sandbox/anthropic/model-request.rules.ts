import { createHmac, timingSafeEqual } from 'crypto';
import { API_VERSION_2026_10_21, findModel, type DoubleModel, type ThinkingType } from './model-rules';

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface Refusal {
  status: number;
  message: string;
}

/** Top-level fields of a Messages request, by API version (2026-10-21 removed the sampling parameters). */
const FIELDS = [
  'model', 'max_tokens', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config', 'metadata', 'stop_sequences', 'stream',
  'service_tier', 'container', 'mcp_servers', 'context_management', 'inference_geo',
];
const SAMPLING = ['temperature', 'top_p', 'top_k'];
/** The deprecated beta spelling of structured outputs, accepted only with its beta header. */
const OUTPUT_FORMAT_BETA = 'structured-outputs-2025-11-13';

const SIGNING_KEY = 'anthropic-double-thinking-signature';

/** A thinking block's signature, as the double issues it (`nonce.mac`): binds the block to its text (the API binds it to the conversation too). */
export function signThinking(text: string, nonce: string): string {
  return `${nonce}.${createHmac('sha256', SIGNING_KEY).update(`${nonce}\u0000${text}`).digest('base64')}`;
}

/**
 * The refusals that depend on the model and the API version: an unknown or retired
 * model, fields the version does not have, and each model's rules (forced tool
 * choice, sampling, thinking settings, prefill, effort, structured-output schemas,
 * `max_tokens`). Null when the request is acceptable.
 */
export function checkModelRules(body: Obj, apiVersion: string, betas: string[], forCountTokens: boolean): Refusal | null {
  const allowed = new Set([...FIELDS, ...(apiVersion >= API_VERSION_2026_10_21 ? [] : SAMPLING), ...(betas.includes(OUTPUT_FORMAT_BETA) ? ['output_format'] : [])]);
  for (const field of Object.keys(body)) {
    if (!allowed.has(field)) return { status: 400, message: `${field}: Extra inputs are not permitted` };
  }
  const model = findModel(String(body.model));
  if (!model || model.lifecycle === 'retired') return { status: 404, message: `model: ${String(body.model)}` };

  if (!forCountTokens && typeof body.max_tokens === 'number' && body.max_tokens > model.maxOutputTokens) {
    return { status: 400, message: `max_tokens: ${body.max_tokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.id}` };
  }
  if (model.sampling === 'defaults-only') {
    const changed = SAMPLING.find((p) => body[p] !== undefined && !(p === 'temperature' && body[p] === 1) && !(p === 'top_p' && body[p] === 1));
    if (changed) return { status: 400, message: `${changed}: this model supports only the default value; omit ${changed}.` };
  }
  const choice = isObj(body.tool_choice) ? body.tool_choice : undefined;
  if (!model.forcedToolChoice && (choice?.type === 'tool' || choice?.type === 'any')) {
    return { status: 400, message: 'tool_choice: type "tool" and "any" are not supported for this model.' };
  }
  const thinking = checkThinking(body, model);
  if (thinking) return thinking;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages[messages.length - 1];
  const prefill = isObj(last) && last.role === 'assistant';
  if (prefill && !model.prefill) return { status: 400, message: 'This model does not support assistant message prefill. The conversation must end with a user message.' };
  const output = checkOutputConfig(body, model, prefill);
  if (output) return output;
  return checkThinkingSignatures(messages);
}

function checkThinking(body: Obj, model: DoubleModel): Refusal | null {
  if (body.thinking === undefined) return null;
  if (!isObj(body.thinking)) return { status: 400, message: 'thinking: Input should be a valid dictionary' };
  const type = body.thinking.type as ThinkingType;
  if (!['adaptive', 'between_tools', 'disabled', 'enabled'].includes(String(type))) {
    return { status: 400, message: `thinking: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: 'adaptive', 'between_tools', 'disabled', 'enabled'` };
  }
  if (!model.thinking.includes(type)) {
    // The documented wording: only "disabled" points to between_tools, where the model has it.
    const lowest = type === 'disabled' && model.thinking.includes('between_tools') ? 'Use "thinking.type.between_tools" for the lowest thinking setting, or "thinking.type.adaptive"' : 'Use "thinking.type.adaptive"';
    return { status: 400, message: `"thinking.type.${type}" is not supported for this model. ${lowest} and "output_config.effort" to control thinking behavior.` };
  }
  if (type === 'enabled') {
    const budget = body.thinking.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget)) return { status: 400, message: 'thinking.enabled.budget_tokens: Field required' };
    if (budget < 1024) return { status: 400, message: 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024' };
    if (typeof body.max_tokens === 'number' && budget >= body.max_tokens) return { status: 400, message: '`max_tokens` must be greater than `thinking.budget_tokens`.' };
  } else if (body.thinking.budget_tokens !== undefined) {
    return { status: 400, message: `thinking.${type}.budget_tokens: Extra inputs are not permitted` };
  }
  const display = body.thinking.display;
  if (display !== undefined && display !== null && display !== 'summarized' && display !== 'omitted') {
    return { status: 400, message: `thinking.${type}.display: Input should be 'summarized' or 'omitted'` };
  }
  const effort = isObj(body.output_config) ? body.output_config.effort : undefined;
  if (type === 'between_tools' && (effort === 'xhigh' || effort === 'max')) return { status: 400, message: '"thinking.type.between_tools" is supported only at effort low, medium or high.' };
  if (type === 'disabled' && model.id === 'claude-haiku-5-5' && (effort === 'xhigh' || effort === 'max')) return { status: 400, message: '"thinking.type.disabled" is supported only at effort high or below on this model.' };
  return null;
}

function checkOutputConfig(body: Obj, model: DoubleModel, prefill: boolean): Refusal | null {
  if (body.output_config === undefined || body.output_config === null) return null;
  if (!isObj(body.output_config)) return { status: 400, message: 'output_config: Input should be a valid dictionary' };
  for (const key of Object.keys(body.output_config)) {
    if (key !== 'effort' && key !== 'format') return { status: 400, message: `output_config.${key}: Extra inputs are not permitted` };
  }
  const { effort, format } = body.output_config;
  if (effort !== undefined && effort !== null) {
    if (model.effort.length === 0) return { status: 400, message: 'output_config.effort: This model does not support the effort parameter.' };
    if (!model.effort.includes(String(effort))) return { status: 400, message: `output_config.effort: Input should be ${model.effort.map((e) => `'${e}'`).join(', ')}` };
  }
  if (format === undefined || format === null) return null;
  if (!model.structuredOutputs) return { status: 400, message: `output_config.format: structured outputs are not supported for ${model.id}` };
  if (!isObj(format) || format.type !== 'json_schema') return { status: 400, message: "output_config.format.type: Input should be 'json_schema'" };
  if (!isObj(format.schema)) return { status: 400, message: 'output_config.format.schema: Field required' };
  if (prefill) return { status: 400, message: 'output_config.format: structured outputs cannot be used with assistant message prefill.' };
  const unsupported = unsupportedSchemaFeatures(format.schema, 'schema');
  if (unsupported.length > 0) return { status: 400, message: `output_config.format.schema: ${unsupported[0]}` };
  return null;
}

const SUPPORTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);
const UNSUPPORTED_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'patternProperties'];

/**
 * What a structured-output schema uses beyond the subset that compiles to a
 * grammar (structured-outputs page). The docs leave open whether the API refuses
 * such keywords or ignores them; the double refuses, so that nothing relies on a
 * constraint the model was never held to.
 */
export function unsupportedSchemaFeatures(schema: unknown, path: string): string[] {
  if (!isObj(schema)) return [];
  const found: string[] = [];
  for (const keyword of UNSUPPORTED_KEYWORDS) if (keyword in schema) found.push(`${path}: '${keyword}' is not supported in structured output schemas`);
  if (typeof schema.minItems === 'number' && schema.minItems > 1) found.push(`${path}: 'minItems' values other than 0 or 1 are not supported`);
  if (typeof schema.format === 'string' && !SUPPORTED_FORMATS.has(schema.format)) found.push(`${path}: format '${schema.format}' is not supported`);
  const isObject = schema.type === 'object' || isObj(schema.properties);
  if (isObject && schema.additionalProperties !== false) found.push(`${path}: 'additionalProperties' must be explicitly set to false for object types`);
  if (isObj(schema.properties)) for (const [name, sub] of Object.entries(schema.properties)) found.push(...unsupportedSchemaFeatures(sub, `${path}.properties.${name}`));
  if (schema.items !== undefined) found.push(...unsupportedSchemaFeatures(schema.items, `${path}.items`));
  for (const key of ['anyOf', 'allOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((sub, i) => found.push(...unsupportedSchemaFeatures(sub, `${path}.${key}.${i}`)));
  }
  if (Array.isArray(schema.enum) && schema.enum.some((v) => isObj(v) || Array.isArray(v))) found.push(`${path}: enum values must be primitives`);
  return found;
}

/**
 * What the double answered, to check a reply sent back: each reply's thinking signatures in order, found by any
 * of its signatures and by its answer text. Bounded: the oldest replies are forgotten first.
 */
export class IssuedReplies {
  private readonly bySignature = new Map<string, string[]>();
  private readonly byAnswer = new Map<string, string[]>();

  remember(content: Array<Record<string, unknown>>): void {
    const signatures = content.filter((b) => b.type === 'thinking').map((b) => String(b.signature));
    if (signatures.length === 0) return;
    for (const sig of signatures) this.bySignature.set(sig, signatures);
    const answer = content.filter((b) => b.type === 'text').map((b) => String(b.text)).join('');
    if (answer !== '') this.byAnswer.set(answer, signatures);
    for (const map of [this.bySignature, this.byAnswer]) while (map.size > 10_000) map.delete(map.keys().next().value as string);
  }

  /** The thinking signatures of the reply a sent-back assistant turn came from, if the double gave it. */
  thinkingOf(blocks: Obj[]): string[] | undefined {
    for (const b of blocks) if (b.type === 'thinking' && this.bySignature.has(String(b.signature))) return this.bySignature.get(String(b.signature));
    const answer = blocks.filter((b) => b.type === 'text').map((b) => String(b.text)).join('');
    return answer === '' ? undefined : this.byAnswer.get(answer);
  }
}

/**
 * The latest assistant turn sent back must hold its reply's thinking blocks exactly as they came: none dropped,
 * none reordered, none edited ("`thinking` or `redacted_thinking` blocks in the latest assistant message cannot
 * be modified").
 */
export function checkLatestThinking(messages: unknown[], issued: IssuedReplies): Refusal | null {
  const latest = [...messages].reverse().find((m): m is Obj => isObj(m) && m.role === 'assistant');
  if (!latest || !Array.isArray(latest.content)) return null;
  const blocks = latest.content.filter(isObj);
  const expected = issued.thinkingOf(blocks);
  if (!expected) return null;
  const sent = blocks.filter((b) => b.type === 'thinking').map((b) => String(b.signature));
  if (sent.length !== expected.length || sent.some((sig, i) => sig !== expected[i])) {
    return { status: 400, message: '`thinking` or `redacted_thinking` blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.' };
  }
  return null;
}

/** Thinking blocks of the latest assistant message must come back exactly as they were sent (checked by their signature). */
function checkThinkingSignatures(messages: unknown[]): Refusal | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!isObj(message) || message.role !== 'assistant') continue;
    if (!Array.isArray(message.content)) return null;
    for (const [j, block] of message.content.entries()) {
      if (!isObj(block) || block.type !== 'thinking') continue;
      const given = Buffer.from(String(block.signature ?? ''));
      const nonce = String(block.signature ?? '').split('.')[0] ?? '';
      const expected = Buffer.from(signThinking(String(block.thinking ?? ''), nonce));
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        return { status: 400, message: `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block.` };
      }
    }
    return null;
  }
  return null;
}
