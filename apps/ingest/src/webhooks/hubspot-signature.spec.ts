import { decodeSignedUri, signatureV1, signatureV2, signatureV3, verifyAppWebhook, MAX_SIGNATURE_AGE_MS } from './hubspot-signature';

// Published vectors: hubspot-api-python and hubspot-api-ruby test suites, HubSpot's docs / Node SDK test.
const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URI = 'https://www.example.com/webhook_uri';
const BODY = "{'example_field':'example_value'}";
const V1_BODY =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';

describe('HubSpot signatures', () => {
  it('reproduces the published v3 vectors', () => {
    expect(signatureV3(SECRET, 'POST', URI, BODY, '1693657560000')).toBe('K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=');
    expect(signatureV3(SECRET, 'POST', URI, BODY, '1700000300000')).toBe('RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw=');
  });

  it('reproduces the published v1 vector', () => {
    expect(signatureV1(SECRET, V1_BODY)).toBe('232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de');
  });

  it('decodes only the escapes HubSpot decodes before signing', () => {
    expect(decodeSignedUri('https://x.io/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm')).toBe("https://x.io/a:b/c?d@e!f$g'h(i)j*k,l;m");
    expect(decodeSignedUri('https://x.io/a%20b%26c%3d')).toBe('https://x.io/a%20b%26c%3d');
  });

  const v3Request = (timestamp: number, body = BODY, signature?: string) => ({
    method: 'POST',
    uri: URI,
    rawBody: Buffer.from(body),
    headers: {
      'x-hubspot-signature-v3': signature ?? signatureV3(SECRET, 'POST', URI, body, String(timestamp)),
      'x-hubspot-request-timestamp': String(timestamp),
    },
  });

  it('accepts a fresh v3 signature', () => {
    expect(verifyAppWebhook(v3Request(1693657560000), SECRET, 1693657560000 + 1000)).toEqual({ valid: true, version: 'v3' });
  });

  it('rejects a v3 signature older than five minutes', () => {
    const result = verifyAppWebhook(v3Request(1693657560000), SECRET, 1693657560000 + MAX_SIGNATURE_AGE_MS + 1);
    expect(result).toMatchObject({ valid: false, reason: expect.stringContaining('old') });
  });

  it('rejects a v3 signature over a tampered body', () => {
    const request = { ...v3Request(1693657560000), rawBody: Buffer.from(BODY + ' ') };
    expect(verifyAppWebhook(request, SECRET, 1693657560000)).toMatchObject({ valid: false });
  });

  it('rejects a v3 signature made with another secret, and one of another length', () => {
    const forged = signatureV3('another-secret', 'POST', URI, BODY, '1693657560000');
    expect(verifyAppWebhook(v3Request(1693657560000, BODY, forged), SECRET, 1693657560000)).toMatchObject({ valid: false });
    expect(verifyAppWebhook(v3Request(1693657560000, BODY, 'short'), SECRET, 1693657560000)).toMatchObject({ valid: false });
  });

  it('rejects a request without a timestamp', () => {
    const request = v3Request(1693657560000);
    delete (request.headers as Record<string, string>)['x-hubspot-request-timestamp'];
    expect(verifyAppWebhook(request, SECRET, 1693657560000)).toMatchObject({ valid: false, reason: expect.stringContaining('Timestamp') });
  });

  it('verifies v1 when v3 is absent and the policy accepts v1 (HUBSPOT_LEGACY_SIGNATURES=app-v1)', () => {
    const headers = { 'x-hubspot-signature': signatureV1(SECRET, V1_BODY), 'x-hubspot-signature-version': 'v1' };
    const legacyV1 = { legacy: ['v1'] as const };
    expect(verifyAppWebhook({ method: 'POST', uri: URI, rawBody: Buffer.from(V1_BODY), headers }, SECRET, Date.now(), legacyV1)).toEqual({ valid: true, version: 'v1' });
    expect(verifyAppWebhook({ method: 'POST', uri: URI, rawBody: Buffer.from(V1_BODY + 'x'), headers }, SECRET, Date.now(), legacyV1)).toMatchObject({ valid: false });
    // Without the setting, the same valid v1 is refused (signature-policy.security.spec.ts covers every downgrade).
    expect(verifyAppWebhook({ method: 'POST', uri: URI, rawBody: Buffer.from(V1_BODY), headers }, SECRET, Date.now())).toMatchObject({ valid: false });
  });

  it('verifies v2 (workflow actions) over secret + method + uri + body when the policy accepts v2', () => {
    const headers = { 'x-hubspot-signature': signatureV2(SECRET, 'POST', URI, BODY), 'x-hubspot-signature-version': 'v2' };
    expect(verifyAppWebhook({ method: 'POST', uri: URI, rawBody: Buffer.from(BODY), headers }, SECRET, Date.now(), { legacy: ['v2'] })).toEqual({ valid: true, version: 'v2' });
    expect(verifyAppWebhook({ method: 'POST', uri: URI, rawBody: Buffer.from(BODY + 'x'), headers }, SECRET, Date.now(), { legacy: ['v2'] })).toMatchObject({ valid: false });
  });

  it('rejects a request with no signature at all', () => {
    expect(verifyAppWebhook({ method: 'POST', uri: URI, rawBody: Buffer.from(BODY), headers: {} }, SECRET, Date.now())).toEqual({ valid: false, reason: 'no HubSpot signature header' });
  });
});
