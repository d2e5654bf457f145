import type { HubSpotErrorLike } from './hubspot-errors';
import type { HubSpotClientFactory } from './hubspot-client.factory';
import { resolveOperation, type HubSpotOperationName, type OperationParams } from './hubspot-operations';

/** What HubSpot answered to one call: any status, the body parsed when it is JSON. */
export interface HubSpotAnswer {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

export type HubSpotCallResult =
  | ({ ok: true; operation: HubSpotOperationName; apiVersion: string } & HubSpotAnswer)
  /** A non-2xx answer, or none at all (`error.code` is then the network error's code). */
  | { ok: false; operation: HubSpotOperationName; apiVersion: string; error: HubSpotErrorLike & { headers: Record<string, string> } };

export interface CallInit {
  query?: Record<string, string | readonly string[]>;
  body?: unknown;
}

/**
 * The door to HubSpot: every call the platform makes goes through `call`, with the
 * portal's token, to the path and version HUBSPOT_OPERATIONS gives the operation.
 * Never throws for HubSpot's answer or a network failure; the caller classifies
 * `error` with classifyHubSpotFailure. Budgets are the caller's (they differ by
 * service: docs/decisions/0008).
 */
export class HubSpotApi {
  constructor(
    private readonly clients: HubSpotClientFactory,
    /** After this, a call counts as failed (ETIMEDOUT). The SDK's request cannot be aborted, so its fate stays unknown: see WRITER_CREATE_SETTLE_MS. */
    private readonly timeoutMs = 30_000,
  ) {}

  async call<O extends HubSpotOperationName>(accessToken: string, operation: O, params: OperationParams<O>, init: CallInit = {}): Promise<HubSpotCallResult> {
    const { method, path, version } = resolveOperation(operation, params);
    const qs = init.query ? Object.fromEntries(Object.entries(init.query).map(([k, v]) => [k, typeof v === 'string' ? v : v.join(',')])) : undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer from HubSpot within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })), this.timeoutMs);
    });
    try {
      const answer = (async () => {
        const response = await this.clients.forToken(accessToken).apiRequest({ method, path, ...(qs ? { qs } : {}), ...(init.body !== undefined ? { body: init.body } : {}) });
        return { response, text: await response.text() };
      })();
      // An answer arriving after the timeout is dropped, never an unhandled rejection.
      answer.catch(() => undefined);
      const { response, text } = await Promise.race([answer, timedOut]);
      const headers: Record<string, string> = {};
      response.headers.forEach((value: string, key: string) => (headers[key.toLowerCase()] = value));
      const body = parseBody(text);
      if (response.status >= 200 && response.status < 300) return { ok: true, operation, apiVersion: version, status: response.status, headers, body };
      const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : `HTTP ${response.status}`;
      return { ok: false, operation, apiVersion: version, error: { code: response.status, body, headers, message } };
    } catch (error) {
      const e = error as { code?: string; errno?: string; message?: string };
      return { ok: false, operation, apiVersion: version, error: { code: e.code ?? e.errno ?? 'NETWORK', headers: {}, message: e.message ?? 'no response' } };
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
