import * as http from 'http';
import { CancellableDelays, closeServer, flatHeaders, headerValue, isJsonObject, listen, parseJson, readBody, sendJson } from '../shared/http-io.util';
import type { ReceivedRequest, ScriptedResponse } from './anthropic.types';
import { anthropicError } from './anthropic-errors.factory';
import { validateMessageRequest } from './message-request.validator';
import { checkLatestThinking, checkModelRules, IssuedReplies } from './model-request.rules';
import { DOUBLE_MODELS, findModel } from './model-rules';
import { PromptCache } from './prompt-cache';
import { accountPrompt } from './token-estimator';
import { apiId, composeReply, type ScriptedContent } from './reply-composer';
import { writeStream } from './sse-stream.writer';

export interface AnthropicDoubleOptions {
  /** Clock for prompt-cache TTLs (default `Date.now`). */
  now?: () => number;
  /** When set, only these keys authenticate; otherwise any non-empty key does. */
  apiKeys?: string[];
  /** Prefixes shorter than this are not cached; default: the model's own minimum (512–4096 tokens), as the API does. */
  minCacheableTokens?: number;
  /** Requests a minute the rate-limit headers report (default 4,000). */
  requestsPerMinute?: number;
  /** How long every unscripted answer takes, as a real model's seconds do (default 0: at once). */
  answerDelayMs?: number;
}

const VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A local stand-in for the Anthropic Messages API (`POST /v1/messages`, `POST /v1/messages/count_tokens`),
 * answering deterministically from the request, or with scripted responses queued by tests.
 */
export class AnthropicDouble {
  private server: http.Server | null = null;
  private baseUrl = '';
  private readonly queue: ScriptedResponse[] = [];
  private readonly log: ReceivedRequest[] = [];
  private readonly cache: PromptCache;
  private readonly delays = new CancellableDelays();
  private readonly limits: RateLimitWindow;
  private readonly issued = new IssuedReplies();
  private seq = 0;

  constructor(private readonly options: AnthropicDoubleOptions = {}) {
    this.cache = new PromptCache(options.now ?? Date.now);
    this.limits = new RateLimitWindow(options.now ?? Date.now, options.requestsPerMinute ?? 4_000);
  }

  async start(port = 0): Promise<{ url: string }> {
    if (this.server) return { url: this.baseUrl };
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, anthropicError(500));
      });
    });
    const { url } = await listen(server, port);
    this.server = server;
    this.baseUrl = url;
    return { url };
  }

  async stop(): Promise<void> {
    this.delays.cancelAll();
    const server = this.server;
    this.server = null;
    if (server) await closeServer(server);
  }

  get url(): string {
    return this.baseUrl;
  }

  /** Queues responses for the next requests, in order (each answers one request). */
  enqueue(...responses: Array<ScriptedResponse | ScriptedResponse[]>): void {
    for (const r of responses) this.queue.push(...(Array.isArray(r) ? r : [r]));
  }

  pending(): number {
    return this.queue.length;
  }

  /** Every request received (body and lower-case headers), oldest first. */
  received(): ReceivedRequest[] {
    return this.log.map((r) => ({ ...r, headers: { ...r.headers } }));
  }

  reset(): void {
    this.queue.length = 0;
    this.log.length = 0;
    this.cache.clear();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://double.local');
    const raw = await readBody(req);
    const parsed = parseJson(raw);

    if (url.pathname.startsWith('/__double')) {
      this.handleAdmin(method, url.pathname, parsed.ok ? parsed.value : undefined, res);
      return;
    }

    const requestId = apiId('req_011C');
    const entry: ReceivedRequest = {
      seq: ++this.seq,
      method,
      path: url.pathname,
      headers: flatHeaders(req),
      body: parsed.ok ? parsed.value : raw.toString('utf8'),
      receivedAt: Date.now(),
      status: 0,
    };
    this.log.push(entry);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      if (res.destroyed) return;
      sendJson(res, status, body, { 'request-id': requestId, ...this.limits.headers(), ...headers });
    };
    const fail = (status: number, message?: string): void => reply(status, anthropicError(status, message, requestId));

    const isMessages = method === 'POST' && url.pathname === '/v1/messages';
    const isCount = method === 'POST' && url.pathname === '/v1/messages/count_tokens';
    const isModels = method === 'GET' && (url.pathname === '/v1/models' || url.pathname.startsWith('/v1/models/'));
    if (!isMessages && !isCount && !isModels) return fail(404, `${method} ${url.pathname} not found`);

    const apiKey = headerValue(req, 'x-api-key') ?? headerValue(req, 'authorization')?.replace(/^Bearer\s+/i, '');
    if (!apiKey) return fail(401, 'x-api-key header is required');
    if (this.options.apiKeys && !this.options.apiKeys.includes(apiKey)) return fail(401, 'invalid x-api-key');
    const version = headerValue(req, 'anthropic-version');
    if (!version) return fail(400, 'anthropic-version: header is required');
    if (!VERSION_PATTERN.test(version)) return fail(400, `anthropic-version: invalid version '${version}'`);
    if (isModels) {
      const answer = modelsResponse(url);
      return 'body' in answer ? reply(200, answer.body) : fail(answer.status, answer.message);
    }
    if (!parsed.ok) return fail(400, `There was an issue with the format of your request: ${parsed.error}`);
    const invalid = validateMessageRequest(parsed.value, isCount);
    if (invalid) return fail(400, invalid);
    const body = parsed.value as Record<string, unknown>;
    const betas = (headerValue(req, 'anthropic-beta') ?? '').split(',').map((b) => b.trim()).filter(Boolean);
    const refused = checkModelRules(body, version, betas, isCount) ?? checkLatestThinking(body.messages as unknown[], this.issued);
    if (refused) return fail(refused.status, refused.message);

    if (isCount) return reply(200, { input_tokens: accountPrompt(body).totalTokens });

    const scripted = this.queue.shift();
    if (scripted && 'drop' in scripted) {
      entry.status = 0;
      req.socket.destroy();
      return;
    }
    const delayMs = scripted?.delayMs ?? (scripted ? undefined : this.options.answerDelayMs);
    if (delayMs !== undefined && delayMs > 0) {
      const waited = await this.delays.wait(delayMs);
      if (!waited || res.destroyed) return;
    }
    if (scripted && 'status' in scripted) {
      const errorBody = scripted.body ?? anthropicError(scripted.status, undefined, requestId);
      return reply(scripted.status, errorBody, scripted.headers ?? {});
    }
    const accounting = accountPrompt(body);
    const cache = this.cache.use(accounting.totalTokens, accounting.breakpoints, this.options.minCacheableTokens ?? findModel(String(body.model))?.minCacheableTokens ?? 0);
    const content = scripted && 'content' in scripted ? scripted : undefined;
    const scriptedContent: ScriptedContent | undefined = content
      ? { content: content.content, ...(content.stop_reason !== undefined ? { stop_reason: content.stop_reason } : {}), ...(content.usage ? { usage: content.usage } : {}) }
      : undefined;
    const message = composeReply({ body, cache, ...(scriptedContent ? { scripted: scriptedContent } : {}) });
    this.issued.remember(message.content);
    const headers = { 'request-id': requestId, ...this.limits.headers(), ...(content?.headers ?? {}) };
    if (body.stream === true) {
      entry.status = 200;
      if (!res.destroyed) writeStream(res, message, headers);
      return;
    }
    reply(200, message, headers);
  }

  /**
   * `/__double/...` for other processes: `GET /__double/health`, `POST /__double/enqueue` (a response, an array,
   * or `{responses: [...]}`), `GET /__double/received`, `GET /__double/pending`, `POST /__double/reset`.
   */
  private handleAdmin(method: string, path: string, body: unknown, res: http.ServerResponse): void {
    const route = path.replace(/^\/__double\/?/, '');
    if (route === 'health' && method === 'GET') return sendJson(res, 200, { ok: true });
    if (route === 'enqueue' && method === 'POST') {
      const list = Array.isArray(body) ? body : isJsonObject(body) && Array.isArray(body.responses) ? body.responses : isJsonObject(body) ? [body] : null;
      if (!list) return sendJson(res, 400, { error: 'expected a response, an array of responses or {responses}' });
      this.enqueue(list as ScriptedResponse[]);
      return sendJson(res, 200, { pending: this.queue.length });
    }
    if (route === 'received' && method === 'GET') return sendJson(res, 200, { results: this.received() });
    if (route === 'pending' && method === 'GET') return sendJson(res, 200, { pending: this.queue.length });
    if (route === 'reset' && method === 'POST') {
      this.reset();
      return sendJson(res, 200, { reset: true });
    }
    sendJson(res, 404, { error: 'unknown double route' });
  }
}

/**
 * The `anthropic-ratelimit-*` headers the API sends on every answer: a limit, what
 * remains of it and when it resets (RFC 3339), for requests and tokens. The double
 * counts requests per minute; the token figures are a fixed, generous allowance.
 */
class RateLimitWindow {
  private windowStart = 0;
  private used = 0;

  constructor(
    private readonly now: () => number,
    private readonly requestsPerMinute: number,
  ) {}

  headers(): Record<string, string> {
    const now = this.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.used = 0;
    }
    this.used += 1;
    const reset = new Date(this.windowStart + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const tokens = { limit: 2_000_000, remaining: 2_000_000 };
    const out: Record<string, string> = {
      'anthropic-ratelimit-requests-limit': String(this.requestsPerMinute),
      'anthropic-ratelimit-requests-remaining': String(Math.max(0, this.requestsPerMinute - this.used)),
      'anthropic-ratelimit-requests-reset': reset,
    };
    for (const kind of ['tokens', 'input-tokens', 'output-tokens']) {
      out[`anthropic-ratelimit-${kind}-limit`] = String(tokens.limit);
      out[`anthropic-ratelimit-${kind}-remaining`] = String(tokens.remaining);
      out[`anthropic-ratelimit-${kind}-reset`] = reset;
    }
    return out;
  }
}

/** `GET /v1/models` (newest first, retired models absent) and `GET /v1/models/{id}` (snapshot ids resolve). */
function modelsResponse(url: URL): { body: unknown } | { status: number; message: string } {
  const supported = (yes: boolean) => ({ supported: yes });
  const info = (m: (typeof DOUBLE_MODELS)[number]) => ({
    type: 'model',
    id: m.id,
    display_name: m.displayName,
    created_at: m.createdAt,
    max_input_tokens: m.contextWindow,
    max_tokens: m.maxOutputTokens,
    lifecycle: m.lifecycle,
    deprecated_at: m.lifecycle === 'deprecated' ? '2026-11-23T00:00:00Z' : null,
    retires_at: m.retiresAt ?? null,
    line: null,
    capabilities: {
      structured_outputs: supported(m.structuredOutputs),
      effort: { supported: m.effort.length > 0, ...Object.fromEntries(['low', 'medium', 'high', 'xhigh', 'max'].map((e) => [e, supported(m.effort.includes(e))])) },
      thinking: { supported: true, types: Object.fromEntries(['adaptive', 'between_tools', 'disabled', 'enabled'].map((t) => [t, supported(m.thinking.includes(t as never))])) },
    },
  });
  const id = decodeURIComponent(url.pathname.slice('/v1/models'.length).replace(/^\//, ''));
  if (id !== '') {
    const model = findModel(id);
    if (!model || model.lifecycle === 'retired') return { status: 404, message: `model: ${id}` };
    return { body: info(model) };
  }
  const data = DOUBLE_MODELS.filter((m) => m.lifecycle !== 'retired')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map(info);
  return { body: { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null } };
}
