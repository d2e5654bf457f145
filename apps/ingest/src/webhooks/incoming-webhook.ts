import { publicBaseUrlOf, type AppConfig } from '@app/common';
import { verifyAppWebhook, type SignatureCheck } from './hubspot-signature';

/** A webhook request as both webhook routes receive it, before anything is trusted. */
export interface IncomingWebhook {
  method: string;
  /** Path and query as received (req.originalUrl). */
  pathAndQuery: string;
  contentType: string | undefined;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Checks HubSpot's signature against the public URL HubSpot posted to
 * (PUBLIC_BASE_URL + path), never one rebuilt from forwarding headers.
 */
export function verifyIncoming(request: IncomingWebhook, config: AppConfig, nowMs: number): SignatureCheck {
  return verifyAppWebhook(
    { method: request.method, uri: publicBaseUrlOf(config) + request.pathAndQuery, rawBody: request.rawBody, headers: request.headers },
    config.hubspotClientSecret ?? '',
    nowMs,
  );
}

/**
 * The checks every authenticated webhook body goes through, in order: JSON content
 * type (415), then valid JSON (400). Returns the parsed body or the answer to give.
 */
export function parseJsonBody(request: Pick<IncomingWebhook, 'contentType' | 'rawBody'>): { ok: true; body: unknown } | { ok: false; response: WebhookResponse } {
  if (!request.contentType?.toLowerCase().startsWith('application/json')) {
    return { ok: false, response: { status: 415, body: { message: `Content-Type must be application/json, got ${request.contentType ?? 'none'}` } } };
  }
  try {
    return { ok: true, body: JSON.parse(request.rawBody.toString('utf8')) };
  } catch (error) {
    return { ok: false, response: { status: 400, body: { message: `body is not valid JSON: ${(error as Error).message}` } } };
  }
}
