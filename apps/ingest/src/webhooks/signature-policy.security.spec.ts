import { loadConfig } from '@app/common';
import { signatureV1, signatureV2, signatureV3, verifyAppWebhook, type SignaturePolicy } from './hubspot-signature';
import { signaturePolicyOf } from './incoming-webhook';

/**
 * Issue 14 item 1, the pure part: every downgrade path HubSpot's v1/v2 leave open,
 * under the default policy (v3 only) and under the explicit legacy settings.
 */
const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URI = 'https://hooks.agency.example/webhooks/hubspot';
const BODY = '[{"eventId":1,"portalId":62515,"objectId":123,"occurredAt":1564113600000,"subscriptionType":"contact.creation"}]';
const NOW = 1_700_000_000_000;

const request = (headers: Record<string, string>) => ({ method: 'POST', uri: URI, rawBody: Buffer.from(BODY), headers });
const v3 = (timestamp = NOW) => ({ 'x-hubspot-signature-v3': signatureV3(SECRET, 'POST', URI, BODY, String(timestamp)), 'x-hubspot-request-timestamp': String(timestamp) });
const v1 = { 'x-hubspot-signature': signatureV1(SECRET, BODY), 'x-hubspot-signature-version': 'v1' };
const v1NoVersion = { 'x-hubspot-signature': signatureV1(SECRET, BODY) };
const v2 = { 'x-hubspot-signature': signatureV2(SECRET, 'POST', URI, BODY), 'x-hubspot-signature-version': 'v2' };

const POLICIES: Array<[string, SignaturePolicy | undefined]> = [
  ['default (v3 only)', undefined],
  ['v1 allowed', { legacy: ['v1'] }],
  ['v2 allowed', { legacy: ['v2'] }],
  ['v1 and v2 allowed', { legacy: ['v1', 'v2'] }],
];

describe('signature policy (security)', () => {
  describe('by default: v3 only', () => {
    it('accepts a fresh v3, with or without the legacy v1 HubSpot sends beside it', () => {
      expect(verifyAppWebhook(request(v3()), SECRET, NOW)).toEqual({ valid: true, version: 'v3' });
      expect(verifyAppWebhook(request({ ...v3(), ...v1 }), SECRET, NOW)).toEqual({ valid: true, version: 'v3' });
    });

    it('refuses a valid v1 once v3 is stripped (with or without the version header)', () => {
      expect(verifyAppWebhook(request(v1), SECRET, NOW)).toMatchObject({ valid: false });
      expect(verifyAppWebhook(request(v1NoVersion), SECRET, NOW)).toMatchObject({ valid: false });
    });

    it('refuses a valid v2', () => {
      expect(verifyAppWebhook(request(v2), SECRET, NOW)).toMatchObject({ valid: false });
    });
  });

  describe.each(POLICIES)('under every policy (%s)', (_, policy) => {
    it('a stale v3 is never rescued by a valid v1 or v2', () => {
      expect(verifyAppWebhook(request({ ...v3(NOW - 10 * 60_000), ...v1 }), SECRET, NOW, policy)).toMatchObject({ valid: false });
      expect(verifyAppWebhook(request({ ...v3(NOW - 10 * 60_000), ...v2 }), SECRET, NOW, policy)).toMatchObject({ valid: false });
    });

    it('a wrong v3, or a v3 without its timestamp, is never rescued either', () => {
      expect(verifyAppWebhook(request({ 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-request-timestamp': String(NOW), ...v1 }), SECRET, NOW, policy)).toMatchObject({ valid: false });
      expect(verifyAppWebhook(request({ 'x-hubspot-signature-v3': v3()['x-hubspot-signature-v3'], ...v1 }), SECRET, NOW, policy)).toMatchObject({ valid: false });
    });

    it('a legacy signature beside a left-over v3 timestamp (v3 stripped) is refused', () => {
      expect(verifyAppWebhook(request({ ...v1, 'x-hubspot-request-timestamp': String(NOW) }), SECRET, NOW, policy)).toMatchObject({ valid: false });
      expect(verifyAppWebhook(request({ ...v2, 'x-hubspot-request-timestamp': String(NOW) }), SECRET, NOW, policy)).toMatchObject({ valid: false });
    });

    it('an unknown version is refused', () => {
      expect(verifyAppWebhook(request({ ...v1, 'x-hubspot-signature-version': 'v0' }), SECRET, NOW, policy)).toMatchObject({ valid: false });
      expect(verifyAppWebhook(request({ ...v1, 'x-hubspot-signature-version': 'V1' }), SECRET, NOW, policy)).toMatchObject({ valid: false });
    });
  });

  it('accepts exactly the legacy versions the policy names', () => {
    expect(verifyAppWebhook(request(v1), SECRET, NOW, { legacy: ['v1'] })).toEqual({ valid: true, version: 'v1' });
    expect(verifyAppWebhook(request(v1NoVersion), SECRET, NOW, { legacy: ['v1'] })).toEqual({ valid: true, version: 'v1' });
    expect(verifyAppWebhook(request(v2), SECRET, NOW, { legacy: ['v1'] })).toMatchObject({ valid: false });
    expect(verifyAppWebhook(request(v2), SECRET, NOW, { legacy: ['v2'] })).toEqual({ valid: true, version: 'v2' });
    expect(verifyAppWebhook(request(v1), SECRET, NOW, { legacy: ['v2'] })).toMatchObject({ valid: false });
  });

  describe('HUBSPOT_LEGACY_SIGNATURES', () => {
    const env = (value?: string) => ({ HUBSPOT_CLIENT_SECRET: 'client-secret-1', ADMIN_API_KEY: 'admin-key-0123456789', TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), ...(value === undefined ? {} : { HUBSPOT_LEGACY_SIGNATURES: value }) });

    it('is off by default: v3 only on both routes', () => {
      const config = loadConfig(env(), 'ingest');
      expect(config.hubspotLegacySignatures).toEqual([]);
      expect(signaturePolicyOf(config, 'app')).toEqual({ legacy: [] });
      expect(signaturePolicyOf(config, 'workflow')).toEqual({ legacy: [] });
    });

    it('opens v1 only on the app route and v2 only on the workflow route, never the other way round', () => {
      const config = loadConfig(env('app-v1, workflow-v2'), 'ingest');
      expect(signaturePolicyOf(config, 'app')).toEqual({ legacy: ['v1'] });
      expect(signaturePolicyOf(config, 'workflow')).toEqual({ legacy: ['v2'] });
      expect(signaturePolicyOf(loadConfig(env('app-v1'), 'ingest'), 'workflow')).toEqual({ legacy: [] });
      expect(signaturePolicyOf(loadConfig(env('workflow-v2'), 'ingest'), 'app')).toEqual({ legacy: [] });
      expect(loadConfig(env('off'), 'ingest').hubspotLegacySignatures).toEqual([]);
    });

    it('refuses anything else at boot, naming the variable', () => {
      for (const value of ['v1', 'on', 'true', 'app-v2', 'workflow-v1', 'off,app-v1', ',']) {
        expect(() => loadConfig(env(value), 'ingest')).toThrow(/HUBSPOT_LEGACY_SIGNATURES/);
      }
    });
  });
});
