import { readSignature, signatureV1, signatureV3, type SignaturePolicy } from './hubspot-signature';
import { authenticateAppWebhook, portalsNamedBy, type AppSecrets } from './signing-secret';

/**
 * Which secret verifies an app webhook: a private-app portal's own secret for a body
 * naming that portal alone, the public app's otherwise, and never the public app's for
 * a private-app portal (alone or batched with others).
 */
const URI = 'https://hooks.agency.example/webhooks/hubspot';
const NOW = 1_700_000_000_000;
const PUBLIC = 'public-app-secret-0000';
const A = 1001;
const B = 1002;
const C = 2001; // registered, no secret of its own (public app)
const D = 2002; // unknown
const OWN: ReadonlyMap<number, string> = new Map([
  [A, 'secret-of-private-app-a'],
  [B, 'secret-of-private-app-b'],
]);

const event = (portalId: unknown, objectId = 1) => ({ eventId: objectId, portalId, objectId, occurredAt: NOW, subscriptionType: 'contact.creation' });
const bodyOf = (...events: unknown[]) => JSON.stringify(events);

/** A strict registry double: it answers only the portals a test expects to be looked up, and records every look-up. */
function registry(expected: readonly number[], options: { failing?: boolean } = {}): AppSecrets & { lookUps: number[] } {
  const lookUps: number[] = [];
  return {
    publicSecret: PUBLIC,
    lookUps,
    portalSecret: async (portalId) => {
      lookUps.push(portalId);
      if (!expected.includes(portalId)) throw new Error(`unexpected look-up of portal ${portalId}`);
      if (options.failing) throw new Error('connection refused');
      return OWN.get(portalId);
    },
  };
}

function signed(body: string, secret: string, version: 'v3' | 'v1' = 'v3', timestamp = NOW) {
  const headers: Record<string, string> =
    version === 'v3'
      ? { 'x-hubspot-signature-v3': signatureV3(secret, 'POST', URI, body, String(timestamp)), 'x-hubspot-request-timestamp': String(timestamp) }
      : { 'x-hubspot-signature': signatureV1(secret, body), 'x-hubspot-signature-version': 'v1' };
  return { method: 'POST', uri: URI, rawBody: Buffer.from(body), headers };
}

/** What the service does: headers, then the portals the body names, then the secret they select. */
async function authenticate(body: string, secret: string, secrets: AppSecrets, options: { version?: 'v3' | 'v1'; policy?: SignaturePolicy; timestamp?: number } = {}) {
  const signature = readSignature(signed(body, secret, options.version, options.timestamp), NOW, options.policy);
  if (!signature.ok) return { valid: false, reason: signature.reason };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  return authenticateAppWebhook(signature, portalsNamedBy(parsed), secrets);
}

describe('app webhook signing secret (security)', () => {
  describe('a body naming one portal with its own (private-app) secret', () => {
    it('verifies with that secret', async () => {
      const secrets = registry([A]);
      expect(await authenticate(bodyOf(event(A), event(A, 2)), OWN.get(A)!, secrets)).toEqual({ valid: true, version: 'v3', signedBy: { app: 'private', portalId: A } });
      expect(secrets.lookUps).toEqual([A]);
    });

    it("refuses another private app's secret: a body naming B is B's or nobody's", async () => {
      const result = await authenticate(bodyOf(event(B)), OWN.get(A)!, registry([B]));
      expect(result).toMatchObject({ valid: false, reason: expect.stringContaining(`portal ${B}'s private-app secret`) });
    });

    it("refuses the public app's secret (no fallback)", async () => {
      expect(await authenticate(bodyOf(event(B)), PUBLIC, registry([B]))).toMatchObject({ valid: false });
    });

    it('uses the portal secret for a legacy v1 signature too, when HUBSPOT_LEGACY_SIGNATURES allows v1', async () => {
      const v1 = { version: 'v1' as const, policy: { legacy: ['v1'] } as SignaturePolicy };
      expect(await authenticate(bodyOf(event(A)), OWN.get(A)!, registry([A]), v1)).toEqual({ valid: true, version: 'v1', signedBy: { app: 'private', portalId: A } });
      expect(await authenticate(bodyOf(event(A)), PUBLIC, registry([A]), v1)).toMatchObject({ valid: false, reason: expect.stringContaining('(v1) does not match') });
      // Still refused by default, before any look-up.
      const secrets = registry([]);
      expect(await authenticate(bodyOf(event(A)), OWN.get(A)!, secrets, { version: 'v1' })).toMatchObject({ valid: false, reason: expect.stringContaining('not accepted') });
      expect(secrets.lookUps).toEqual([]);
    });

    it('counts events with an invalid portalId for no portal: [A, garbage] is still A alone', async () => {
      const body = bodyOf(event(A), event('1002'), event(-5), event(1.5), 'not an event', null, [event(B)]);
      expect(await authenticate(body, OWN.get(A)!, registry([A]))).toMatchObject({ valid: true, signedBy: { app: 'private', portalId: A } });
      expect(await authenticate(body, PUBLIC, registry([A]))).toMatchObject({ valid: false });
    });
  });

  describe('a body naming one portal without a secret of its own', () => {
    it("verifies with the public app's secret, registered or not", async () => {
      for (const portalId of [C, D]) {
        const secrets = registry([portalId]);
        expect(await authenticate(bodyOf(event(portalId)), PUBLIC, secrets)).toEqual({ valid: true, version: 'v3', signedBy: { app: 'public' } });
        expect(secrets.lookUps).toEqual([portalId]);
      }
    });

    it("refuses a private app's secret", async () => {
      expect(await authenticate(bodyOf(event(C)), OWN.get(A)!, registry([C]))).toMatchObject({ valid: false, reason: 'X-HubSpot-Signature-v3 does not match' });
    });
  });

  describe('a body naming several portals (only the public app batches portals)', () => {
    it("verifies with the public app's secret when none of them has its own", async () => {
      const secrets = registry([C, D]);
      expect(await authenticate(bodyOf(event(C), event(D), event(C, 2)), PUBLIC, secrets)).toEqual({ valid: true, version: 'v3', signedBy: { app: 'public' } });
      expect(secrets.lookUps).toEqual([C, D]);
    });

    it('refuses a batch naming a private-app portal among others, however signed', async () => {
      const mixed = bodyOf(event(C), event(A));
      expect(await authenticate(mixed, PUBLIC, registry([C, A]))).toEqual({ valid: false, reason: `mixed portals with a private-app portal (portal ${A} among 2 portals)` });
      expect(await authenticate(mixed, OWN.get(A)!, registry([]))).toMatchObject({ valid: false, reason: 'X-HubSpot-Signature-v3 does not match' });
      expect(await authenticate(bodyOf(event(A), event(B)), OWN.get(A)!, registry([]))).toMatchObject({ valid: false });
    });

    it('looks nothing up for a batch the public secret did not sign', async () => {
      const secrets = registry([]);
      expect(await authenticate(bodyOf(event(C), event(D), event(A)), 'forged', secrets)).toMatchObject({ valid: false });
      expect(secrets.lookUps).toEqual([]);
    });
  });

  describe('a malformed body (names no portal)', () => {
    it.each([
      ['not JSON', '[{"portalId": 1001,'],
      ['an object, not an array', JSON.stringify(event(A))],
      ['an empty array', '[]'],
      ['events without a valid portalId', bodyOf(event('1001'), event(0), { portalId: { id: A } }, 7)],
    ])("%s: the public app's secret, no look-up (what it is is answered after verification)", async (_, body) => {
      const secrets = registry([]);
      expect(await authenticate(body, PUBLIC, secrets)).toEqual({ valid: true, version: 'v3', signedBy: { app: 'public' } });
      expect(await authenticate(body, OWN.get(A)!, secrets)).toMatchObject({ valid: false });
      expect(secrets.lookUps).toEqual([]);
    });
  });

  describe('what is refused before any look-up', () => {
    it.each([
      ['a stale timestamp', (body: string) => signed(body, OWN.get(A)!, 'v3', NOW - 6 * 60_000)],
      ['a timestamp from the future', (body: string) => signed(body, OWN.get(A)!, 'v3', NOW + 6 * 60_000)],
      ['no signature', (body: string) => ({ ...signed(body, OWN.get(A)!), headers: {} })],
    ])('%s', (_, request) => {
      expect(readSignature(request(bodyOf(event(A))), NOW)).toMatchObject({ ok: false });
    });
  });

  describe('when the registry cannot say whether a portal has its own secret', () => {
    it("refuses (401) what the public secret did not sign, so the edge still counts it", async () => {
      const result = await authenticate(bodyOf(event(A)), OWN.get(A)!, registry([A], { failing: true }));
      expect(result).toMatchObject({ valid: false, reason: expect.stringContaining('could not be read') });
      expect(result).not.toHaveProperty('unavailable');
    });

    it("asks HubSpot to retry (unavailable) what the public secret signed, alone or batched, and never accepts it", async () => {
      expect(await authenticate(bodyOf(event(C)), PUBLIC, registry([C], { failing: true }))).toMatchObject({ valid: false, unavailable: true });
      expect(await authenticate(bodyOf(event(C), event(D)), PUBLIC, registry([C, D], { failing: true }))).toMatchObject({ valid: false, unavailable: true });
    });
  });

  it('portalsNamedBy: each valid portal id once, in order', () => {
    expect(portalsNamedBy([event(B), event(A), event(B), event('3'), event(Number.MAX_SAFE_INTEGER + 1), null, []])).toEqual([B, A]);
    expect(portalsNamedBy({ portalId: A })).toEqual([]);
    expect(portalsNamedBy(JSON.parse(`[{"__proto__": {"portalId": ${A}}}]`))).toEqual([]);
  });
});

describe('app webhook signing secret, with a registry that looks a batch up at once (portalSecrets)', () => {
  /** A strict double: batches in one look-up each (recorded); a single look-up of a portal it did not expect fails. */
  function batchRegistry(single: readonly number[], options: { failing?: boolean } = {}): AppSecrets & { lookUps: number[]; batches: number[][] } {
    const lookUps: number[] = [];
    const batches: number[][] = [];
    return {
      publicSecret: PUBLIC,
      lookUps,
      batches,
      portalSecret: async (portalId) => {
        lookUps.push(portalId);
        if (!single.includes(portalId)) throw new Error(`unexpected single look-up of portal ${portalId}`);
        return OWN.get(portalId);
      },
      portalSecrets: async (portalIds) => {
        batches.push([...portalIds]);
        if (options.failing) throw new Error('connection refused');
        return new Map([...OWN].filter(([portalId]) => portalIds.includes(portalId)));
      },
    };
  }

  it("verifies a batch of portals without secrets of their own with the public app's secret, in one look-up", async () => {
    const secrets = batchRegistry([]);
    expect(await authenticate(bodyOf(event(C), event(D), event(C, 2)), PUBLIC, secrets)).toEqual({ valid: true, version: 'v3', signedBy: { app: 'public' } });
    expect(secrets.batches).toEqual([[C, D]]);
    expect(secrets.lookUps).toEqual([]);
  });

  it('refuses a batch naming private-app portals among others, naming the first of them', async () => {
    const secrets = batchRegistry([]);
    expect(await authenticate(bodyOf(event(C), event(B), event(D), event(A)), PUBLIC, secrets)).toEqual({ valid: false, reason: `mixed portals with a private-app portal (portal ${B} among 4 portals)` });
    expect(secrets.batches).toEqual([[C, B, D, A]]);
  });

  it('looks nothing up for a batch the public secret did not sign', async () => {
    const secrets = batchRegistry([]);
    expect(await authenticate(bodyOf(event(C), event(D), event(A)), OWN.get(A)!, secrets)).toMatchObject({ valid: false, reason: 'X-HubSpot-Signature-v3 does not match' });
    expect(secrets.batches).toEqual([]);
  });

  it('asks HubSpot to retry (unavailable) a signed batch whose portals could not be read, never accepting it', async () => {
    expect(await authenticate(bodyOf(event(C), event(D)), PUBLIC, batchRegistry([], { failing: true }))).toMatchObject({ valid: false, unavailable: true });
  });

  it('still looks a lone portal up on its own', async () => {
    const secrets = batchRegistry([A]);
    expect(await authenticate(bodyOf(event(A)), OWN.get(A)!, secrets)).toEqual({ valid: true, version: 'v3', signedBy: { app: 'private', portalId: A } });
    expect(secrets.lookUps).toEqual([A]);
    expect(secrets.batches).toEqual([]);
  });
});
