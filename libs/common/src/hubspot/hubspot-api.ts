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

/** One call sent to HubSpot, as HubSpotApi's observer hears of it. */
export interface HubSpotCallObservation {
  operation: HubSpotOperationName;
  result: HubSpotCallResult;
  durationMs: number;
}

/**
 * A portal's token that can be renewed: an OAuth access token HubSpot refused
 * (401) is refreshed once (one refresh per portal across every caller and replica:
 * PortalTokens) and the call is sent once more with the new one. `current` follows
 * the renewals, so later calls of the same flow use the new token.
 */
export interface RenewableToken {
  current: string;
  /** The token to use instead of `used`, which HubSpot refused; undefined: there is none (revoked, or not renewable). */
  renew(used: string): Promise<string | undefined>;
}

/** What a call authenticates with: a token, a renewable one, or none (OAuth's token endpoints). */
export type HubSpotCredential = string | RenewableToken | null;

export interface CallInit {
  query?: Record<string, string | readonly string[]>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent form-encoded instead (HubSpot's OAuth endpoints take nothing else). */
  form?: Record<string, string>;
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
    /** Told of every call sent, with what came of it (metrics: libs/common/src/observability). Must not throw. */
    private readonly observe?: (call: HubSpotCallObservation) => void,
  ) {}

  /**
   * `credential` null: no bearer token (the OAuth endpoints authenticate the app by
   * its credentials in the form). A renewable token refused with 401 is renewed and
   * the call sent once more (a 401 means HubSpot did not process it, so this is safe
   * for creates too); never more than once per call, so a revoked token costs one
   * refresh attempt, not a storm.
   */
  async call<O extends HubSpotOperationName>(credential: HubSpotCredential, operation: O, params: OperationParams<O>, init: CallInit = {}): Promise<HubSpotCallResult> {
    const token = credential === null || typeof credential === 'string' ? credential : credential.current;
    const first = await this.send(token, operation, params, init);
    if (first.ok || first.error.code !== 401 || credential === null || typeof credential === 'string' || token === null) return first;
    let renewed: string | undefined;
    try {
      renewed = await credential.renew(token);
    } catch (error) {
      // No token right now (HubSpot's token endpoint or another replica did not answer): retriable, like a network error.
      const e = error as { message?: string };
      return { ok: false, operation, apiVersion: first.apiVersion, error: { code: 'TOKEN_REFRESH_FAILED', headers: {}, message: e.message ?? 'token refresh failed' } };
    }
    return renewed && renewed !== token ? this.send(renewed, operation, params, init) : first;
  }

  private async send<O extends HubSpotOperationName>(accessToken: string | null, operation: O, params: OperationParams<O>, init: CallInit): Promise<HubSpotCallResult> {
    const started = Date.now();
    const result = await this.sendOnce(accessToken, operation, params, init);
    this.observe?.({ operation, result, durationMs: Date.now() - started });
    return result;
  }

  private async sendOnce<O extends HubSpotOperationName>(accessToken: string | null, operation: O, params: OperationParams<O>, init: CallInit): Promise<HubSpotCallResult> {
    const { method, path, version } = resolveOperation(operation, params);
    const qs = init.query ? Object.fromEntries(Object.entries(init.query).map(([k, v]) => [k, typeof v === 'string' ? v : v.join(',')])) : undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer from HubSpot within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })), this.timeoutMs);
    });
    try {
      const answer = (async () => {
        const client = accessToken === null ? this.clients.withoutToken() : this.clients.forToken(accessToken);
        const body = init.form
          ? { body: new URLSearchParams(init.form).toString(), defaultJson: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' } }
          : init.body !== undefined
            ? { body: init.body }
            : {};
        const response = await client.apiRequest({ method, path, ...(qs ? { qs } : {}), ...body });
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
