import type { IncomingWebhook, WebhookResponse } from './webhook-ingest.service';

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
