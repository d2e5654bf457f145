import { createHash, createHmac } from 'crypto';

/**
 * HubSpot's webhook request signatures, computed the way HubSpot does (pure functions).
 *
 * - v1 (`X-HubSpot-Signature`, version `v1`): hex SHA-256 of `clientSecret + body`.
 * - v2 (`X-HubSpot-Signature`, version `v2`): hex SHA-256 of `clientSecret + method + uri + body`.
 * - v3 (`X-HubSpot-Signature-v3`): base64 HMAC-SHA256 keyed by the client secret over
 *   `method + uri + body + timestamp`, where only some percent-escapes of the URI are decoded first.
 */

/** The escapes HubSpot decodes in the URI before computing a v3 signature (no others). */
export const V3_DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** Decodes only HubSpot's listed escapes (either hex case); every other escape stays as it is. */
export function normalizeUriForV3(uri: string): string {
  return uri.replace(/%[0-9a-fA-F]{2}/g, (escape) => V3_DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

export interface SignV3Input {
  clientSecret: string;
  method: string;
  uri: string;
  body: string;
  timestamp: number | string;
}

export function signV3({ clientSecret, method, uri, body, timestamp }: SignV3Input): string {
  const source = `${method.toUpperCase()}${normalizeUriForV3(uri)}${body}${String(timestamp)}`;
  return createHmac('sha256', clientSecret).update(source, 'utf8').digest('base64');
}

export function signV1({ clientSecret, body }: { clientSecret: string; body: string }): string {
  return createHash('sha256').update(`${clientSecret}${body}`, 'utf8').digest('hex');
}

export function signV2({ clientSecret, method, uri, body }: { clientSecret: string; method: string; uri: string; body: string }): string {
  return createHash('sha256').update(`${clientSecret}${method.toUpperCase()}${uri}${body}`, 'utf8').digest('hex');
}

/** Every signature header HubSpot puts on an app webhook request (v3 plus the legacy v1). */
export function webhookSignatureHeaders(input: { clientSecret: string; method: string; uri: string; body: string; timestamp: number }): Record<string, string> {
  return {
    'X-HubSpot-Signature-v3': signV3(input),
    'X-HubSpot-Request-Timestamp': String(input.timestamp),
    'X-HubSpot-Signature': signV1(input),
    'X-HubSpot-Signature-Version': 'v1',
  };
}
