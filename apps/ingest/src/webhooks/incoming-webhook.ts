import { publicBaseUrlOf, type AppConfig } from '@app/common';
import type { LegacySignatureVersion, SignedRequest, SignaturePolicy } from './hubspot-signature';
import { isJsonMediaType } from '../edge/json-media-type';
import { jsonNestingExceeds, MAX_JSON_DEPTH } from '../edge/json-depth';

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
  /** With a 401: why, for the operator's (sampled) log only, never in the answer (edge/edge-guard.ts). */
  authFailure?: string;
}

export type WebhookRoute = 'app' | 'workflow';

/**
 * What a route accepts besides v3 (HUBSPOT_LEGACY_SIGNATURES, off by default): v1 only
 * ever on the app route and v2 only on the workflow route, where HubSpot sends them.
 */
export function signaturePolicyOf(config: AppConfig, route: WebhookRoute): SignaturePolicy {
  const enabled = config.hubspotLegacySignatures ?? [];
  const legacy: LegacySignatureVersion[] = [];
  if (route === 'app' && enabled.includes('app-v1')) legacy.push('v1');
  if (route === 'workflow' && enabled.includes('workflow-v2')) legacy.push('v2');
  return { legacy };
}

/**
 * The request as HubSpot signed it: the public URL HubSpot posted to
 * (PUBLIC_BASE_URL + path), never one rebuilt from forwarding headers.
 */
export function signedRequestOf(request: IncomingWebhook, config: AppConfig): SignedRequest {
  return { method: request.method, uri: publicBaseUrlOf(config) + request.pathAndQuery, rawBody: request.rawBody, headers: request.headers };
}

export type JsonBody = { ok: true; body: unknown } | { ok: false; response: WebhookResponse };

/**
 * The checks every authenticated webhook body goes through, in order: JSON content
 * type, exactly (415), then nesting within MAX_JSON_DEPTH (400), then valid JSON
 * (400). Returns the parsed body or the answer to give. `parsed`: the body's bytes
 * already parsed (parseJsonBytes), so they are not parsed twice.
 */
export function parseJsonBody(request: Pick<IncomingWebhook, 'contentType' | 'rawBody'>, parsed?: JsonBody): JsonBody {
  if (!isJsonMediaType(request.contentType)) {
    return { ok: false, response: { status: 415, body: { message: `Content-Type must be application/json, got ${request.contentType ?? 'none'}` } } };
  }
  return parsed ?? parseJsonBytes(request.rawBody);
}

/** Nesting within MAX_JSON_DEPTH (400), then valid JSON (400): parseJsonBody without the content type. */
export function parseJsonBytes(rawBody: Buffer): JsonBody {
  // Before parsing: deeper bodies are no HubSpot payload, and made serialisation throw (503, retried for a day).
  if (jsonNestingExceeds(rawBody, MAX_JSON_DEPTH)) {
    return { ok: false, response: { status: 400, body: { message: `body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels` } } };
  }
  try {
    return { ok: true, body: JSON.parse(rawBody.toString('utf8')) };
  } catch (error) {
    return { ok: false, response: { status: 400, body: { message: `body is not valid JSON: ${(error as Error).message}` } } };
  }
}
