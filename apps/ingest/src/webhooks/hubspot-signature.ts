import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** HubSpot rejects nothing older than this; neither do we accept it. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** The public URI HubSpot posted to: PUBLIC_BASE_URL + path and query. */
  uri: string;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export type SignatureVersion = 'v1' | 'v2' | 'v3';
/** The versions without a timestamp: a captured request signed with one replays forever. */
export type LegacySignatureVersion = Exclude<SignatureVersion, 'v3'>;

export type SignatureCheck = { valid: true; version: SignatureVersion } | { valid: false; reason: string };

/**
 * What a route accepts besides v3. v3 is always accepted and, when present, always
 * decides: a legacy signature is looked at only when the request carries no trace
 * of v3 (neither X-HubSpot-Signature-v3 nor X-HubSpot-Request-Timestamp), so a
 * stale or broken v3 can never be rescued by the v1 that HubSpot sends beside it.
 */
export interface SignaturePolicy {
  legacy: ReadonlyArray<LegacySignatureVersion>;
}

export const V3_ONLY: SignaturePolicy = { legacy: [] };

// HubSpot decodes exactly these escapes in the URI before signing (v3); nothing else.
const DECODED_ESCAPES: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function decodeSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

/** v3: base64 HMAC-SHA256 keyed by the client secret over method + uri + body + timestamp. */
export function signatureV3(secret: string, method: string, uri: string, rawBody: Buffer | string, timestamp: string): string {
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}${decodeSignedUri(uri)}`)
    .update(rawBody)
    .update(timestamp)
    .digest('base64');
}

/** v1 (legacy, app webhooks): hex SHA-256 of secret + body. */
export function signatureV1(secret: string, rawBody: Buffer | string): string {
  return createHash('sha256').update(secret).update(rawBody).digest('hex');
}

/** v2 (workflow "Send a webhook", CRM cards): hex SHA-256 of secret + method + uri + body. */
export function signatureV2(secret: string, method: string, uri: string, rawBody: Buffer | string): string {
  return createHash('sha256').update(`${secret}${method.toUpperCase()}${uri}`).update(rawBody).digest('hex');
}

/**
 * A request's signature headers read before any secret is involved: either refused
 * outright (missing, stale, downgraded, unsupported: no secret can make it valid, so
 * no secret need be looked up), or a signature of `version` that `matches` compares,
 * in constant time, with the signature a given secret makes.
 */
export type SignatureHeaders =
  | { ok: false; reason: string }
  | { ok: true; version: SignatureVersion; matches(secret: string): boolean; /** The reason when no secret tried matches. */ mismatch: string };

/**
 * Reads a HubSpot request signature: v3 (timestamp no older than five minutes)
 * whenever the request carries v3; a legacy v1 or v2 only when the request carries
 * no v3 at all and `policy` accepts that version (off by default: v3 only).
 * `reason` and `mismatch` are for the server log, never the answer.
 */
export function readSignature(request: SignedRequest, nowMs: number, policy: SignaturePolicy = V3_ONLY): SignatureHeaders {
  const v3 = header(request.headers, 'x-hubspot-signature-v3');
  if (v3 !== undefined) {
    const timestamp = header(request.headers, 'x-hubspot-request-timestamp');
    if (timestamp === undefined || !/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'X-HubSpot-Request-Timestamp is missing or not a number' };
    const age = nowMs - Number(timestamp);
    if (age > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: `signature timestamp is ${Math.round(age / 1000)} s old (limit 300 s)` };
    if (age < -MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'signature timestamp is in the future' };
    return {
      ok: true,
      version: 'v3',
      matches: (secret) => constantTimeEqual(v3, signatureV3(secret, request.method, request.uri, request.rawBody, timestamp)),
      mismatch: 'X-HubSpot-Signature-v3 does not match',
    };
  }
  const legacy = header(request.headers, 'x-hubspot-signature');
  if (legacy === undefined) return { ok: false, reason: 'no HubSpot signature header' };
  // HubSpot sends the timestamp only with v3: a timestamp without it means v3 was stripped.
  if (header(request.headers, 'x-hubspot-request-timestamp') !== undefined) return { ok: false, reason: 'X-HubSpot-Request-Timestamp without X-HubSpot-Signature-v3 (v3 stripped?)' };
  const version = header(request.headers, 'x-hubspot-signature-version') ?? 'v1';
  if ((version === 'v1' || version === 'v2') && !policy.legacy.includes(version)) {
    return { ok: false, reason: `legacy signature ${version} is not accepted on this route (v3 only; see HUBSPOT_LEGACY_SIGNATURES)` };
  }
  if (version === 'v1') {
    return { ok: true, version: 'v1', matches: (secret) => constantTimeEqual(legacy.toLowerCase(), signatureV1(secret, request.rawBody)), mismatch: 'X-HubSpot-Signature (v1) does not match' };
  }
  if (version === 'v2') {
    return {
      ok: true,
      version: 'v2',
      matches: (secret) => constantTimeEqual(legacy.toLowerCase(), signatureV2(secret, request.method, request.uri, request.rawBody)),
      mismatch: 'X-HubSpot-Signature (v2) does not match',
    };
  }
  return { ok: false, reason: `unsupported signature version ${version.slice(0, 16)}` };
}

/**
 * Verifies a HubSpot request signature with one secret (see readSignature for what
 * is accepted). Comparisons are constant-time. `reason` is for the server log, never
 * the answer.
 */
export function verifyAppWebhook(request: SignedRequest, secret: string, nowMs: number, policy: SignaturePolicy = V3_ONLY): SignatureCheck {
  const signature = readSignature(request, nowMs, policy);
  if (!signature.ok) return { valid: false, reason: signature.reason };
  return signature.matches(secret) ? { valid: true, version: signature.version } : { valid: false, reason: signature.mismatch };
}

function constantTimeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself to spend the same time.
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
