import { createHash } from 'crypto';

type Block = Record<string, unknown>;

function isBlock(value: unknown): value is Block {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Roughly 4 characters per token, at least 1 for any non-empty text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** The text a content block contributes to the prompt. */
export function blockText(block: unknown): string {
  if (typeof block === 'string') return block;
  if (!isBlock(block)) return '';
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? block.text : '';
    case 'tool_use':
      return `${String(block.name ?? '')}${JSON.stringify(block.input ?? {})}`;
    case 'tool_result':
      return typeof block.content === 'string'
        ? block.content
        : Array.isArray(block.content)
          ? block.content.map(blockText).join('\n')
          : '';
    case 'image':
    case 'document':
      return 'x'.repeat(4 * 1000);
    default: {
      const { cache_control: _omit, ...rest } = block;
      return JSON.stringify(rest);
    }
  }
}

interface Segment {
  text: string;
  tokens: number;
  cacheControl: Block | undefined;
}

/** The prompt in API order (tools, system, messages), one segment per block. */
function segments(body: Block): Segment[] {
  const out: Segment[] = [];
  const push = (text: string, cacheControl: unknown): void => {
    out.push({ text, tokens: estimateTokens(text), cacheControl: isBlock(cacheControl) ? cacheControl : undefined });
  };
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (!isBlock(tool)) continue;
      const { cache_control: cc, ...rest } = tool;
      push(JSON.stringify(rest), cc);
    }
  }
  if (typeof body.system === 'string') push(body.system, undefined);
  else if (Array.isArray(body.system)) for (const b of body.system) push(blockText(b), isBlock(b) ? b.cache_control : undefined);
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (!isBlock(message)) continue;
      const role = String(message.role ?? '');
      if (typeof message.content === 'string') push(`${role}:${message.content}`, undefined);
      else if (Array.isArray(message.content)) {
        for (const b of message.content) push(`${role}:${blockText(b)}`, isBlock(b) ? b.cache_control : undefined);
      }
    }
  }
  return out;
}

export interface CacheBreakpoint {
  /** Hash of the model and everything up to and including the block with `cache_control`. */
  key: string;
  /** Tokens of that prefix. */
  tokens: number;
  ttlMs: number;
}

export interface PromptAccounting {
  totalTokens: number;
  breakpoints: CacheBreakpoint[];
}

/** Counts the prompt and finds its cache breakpoints (blocks carrying `cache_control`). */
export function accountPrompt(body: Block): PromptAccounting {
  const hash = createHash('sha256').update(String(body.model ?? ''));
  let running = 0;
  const breakpoints: CacheBreakpoint[] = [];
  for (const seg of segments(body)) {
    hash.update('\u0000').update(seg.text);
    running += seg.tokens;
    if (seg.cacheControl) {
      breakpoints.push({ key: hash.copy().digest('hex'), tokens: running, ttlMs: seg.cacheControl.ttl === '1h' ? 3_600_000 : 300_000 });
    }
  }
  return { totalTokens: running, breakpoints };
}

/** Words of the whole prompt, for building deterministic answers. */
export function promptText(body: Block): string {
  return segments(body)
    .map((s) => s.text)
    .join('\n');
}
