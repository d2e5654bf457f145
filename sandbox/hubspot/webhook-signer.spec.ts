import { createHash, createHmac } from 'crypto';
import { Signature } from '@hubspot/api-client';
import { normalizeUriForV3, signV1, signV2, signV3, webhookSignatureHeaders } from './webhook-signer';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URI = 'https://www.example.com/webhook_uri';
const BODY = "{'example_field':'example_value'}";

describe('webhook-signer', () => {
  it('reproduces the published v3 vectors (hubspot-api-python and hubspot-api-ruby)', () => {
    expect(signV3({ clientSecret: SECRET, method: 'POST', uri: URI, body: BODY, timestamp: 1693657560000 })).toBe(
      'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=',
    );
    expect(signV3({ clientSecret: SECRET, method: 'POST', uri: URI, body: BODY, timestamp: 1700000300000 })).toBe(
      'RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw=',
    );
  });

  it('reproduces the published v1 vector (HubSpot docs and Node SDK test)', () => {
    const body =
      '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
    expect(signV1({ clientSecret: SECRET, body })).toBe('232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de');
  });

  it('computes v2 as hex sha256 of secret + method + uri + body', () => {
    const expected = createHash('sha256').update(`${SECRET}POST${URI}${BODY}`).digest('hex');
    expect(signV2({ clientSecret: SECRET, method: 'POST', uri: URI, body: BODY })).toBe(expected);
  });

  it('agrees with the Node SDK for every version on a URI without escapes', () => {
    const common = { signature: '', clientSecret: SECRET, requestBody: BODY, url: URI, timestamp: 1693657560000 };
    expect(signV1({ clientSecret: SECRET, body: BODY })).toBe(Signature.getSignature('POST', 'v1', common));
    expect(signV2({ clientSecret: SECRET, method: 'POST', uri: URI, body: BODY })).toBe(Signature.getSignature('POST', 'v2', common));
    expect(signV3({ clientSecret: SECRET, method: 'POST', uri: URI, body: BODY, timestamp: 1693657560000 })).toBe(
      Signature.getSignature('POST', 'v3', common),
    );
  });

  it('decodes only the escapes HubSpot lists before computing v3', () => {
    expect(normalizeUriForV3('https://h.example/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm')).toBe("https://h.example/a:b/c?d@e!f$g'h(i)j*k,l;m");
    expect(normalizeUriForV3('https://h.example/x%20y%2a%3a%25')).toBe('https://h.example/x%20y*:%25');
    const uri = 'https://h.example/hook%3Aone?q=%20x';
    const expected = createHmac('sha256', SECRET).update(`POSThttps://h.example/hook:one?q=%20x${BODY}42`).digest('base64');
    expect(signV3({ clientSecret: SECRET, method: 'post', uri, body: BODY, timestamp: 42 })).toBe(expected);
  });

  it('builds the header set HubSpot sends with app webhooks', () => {
    const headers = webhookSignatureHeaders({ clientSecret: SECRET, method: 'POST', uri: URI, body: BODY, timestamp: 1693657560000 });
    expect(headers).toEqual({
      'X-HubSpot-Signature-v3': 'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=',
      'X-HubSpot-Request-Timestamp': '1693657560000',
      'X-HubSpot-Signature': signV1({ clientSecret: SECRET, body: BODY }),
      'X-HubSpot-Signature-Version': 'v1',
    });
  });
});
