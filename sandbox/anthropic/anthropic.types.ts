/** A scripted answer for the next request to `POST /v1/messages`. */
export type ScriptedResponse =
  /** An HTTP error (or any status) with an optional body and headers, e.g. 529 overloaded or 429 with `retry-after`. */
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** A message with these content blocks; `tool_use` blocks without `id`/`input` get them generated. */
  | { content: Array<Record<string, unknown>>; stop_reason?: string; usage?: Partial<UsageBody>; delayMs?: number; headers?: Record<string, string> }
  /** Waits, then answers as if nothing was scripted (to provoke client timeouts). */
  | { delayMs: number }
  /** Destroys the connection without answering. */
  | { drop: true };

export interface UsageBody {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  /** The part of output_tokens spent thinking (output_tokens includes it, and is what is billed). */
  output_tokens_details: { thinking_tokens: number };
  service_tier: 'standard';
}

export interface MessageBody {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<Record<string, unknown>>;
  stop_reason: string;
  stop_sequence: string | null;
  usage: UsageBody;
}

export interface ReceivedRequest {
  seq: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  receivedAt: number;
  /** Status the double answered with (0 when the connection was dropped). */
  status: number;
}
