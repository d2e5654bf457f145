import type { SignatureHeaders, SignatureVersion } from './hubspot-signature';

/**
 * Which app's secret signs an app-webhook request. HubSpot's public app (the
 * agency's OAuth app, HUBSPOT_CLIENT_SECRET) may batch events of several portals in
 * one request; a legacy private app, or a single-account app, signs its webhooks with
 * its own client secret and only ever sends events of its one portal.
 *
 * So the portals a body names decide the secret:
 *  - one portal with its own (private-app) secret: that secret, and only that one;
 *    the public app's secret is no fallback (a body naming portal B is B's or nobody's);
 *  - one portal without its own secret, or none named (not an array, no valid
 *    portalId): the public app's secret, as before per-portal secrets;
 *  - several portals: the public app's secret, and none of them may have its own
 *    secret (a private-app portal's events never come in another portal's batch).
 *
 * The portals are read from the unauthenticated body, which is safe because the
 * secret they select must then have signed that very body. The workflow route names
 * its one portal in its URL instead (workflow-webhook.service.ts), which v2 and v3
 * sign as well.
 */
export interface AppSecrets {
  /** The public app's client secret (HUBSPOT_CLIENT_SECRET). */
  publicSecret: string;
  /** The portal's own (private-app) client secret; undefined: none stored. Throws when the registry is unavailable. */
  portalSecret(portalId: number): Promise<string | undefined>;
  /**
   * The own secrets of those of `portalIds` that have one, in one look-up (a portal
   * absent: none stored). Throws when the registry is unavailable. Without it, a batch's
   * portals are looked up with portalSecret, one at a time.
   */
  portalSecrets?(portalIds: readonly number[]): Promise<ReadonlyMap<number, string>>;
}

export type SignedBy = { app: 'public' } | { app: 'private'; portalId: number };

export type AppAuthentication =
  | { valid: true; version: SignatureVersion; signedBy: SignedBy }
  /** `reason`: for the operator's (sampled) log only, never the answer. */
  | { valid: false; reason: string }
  /** Signed with the public app's secret, but whether a named portal has its own secret could not be read: answer 503. */
  | { valid: false; unavailable: true; error: unknown };

/**
 * The portal ids an app-webhook body names (each once, in order), read exactly as the
 * planner attributes events (webhook-event.parser.ts): an event object's `portalId`
 * when it is a positive safe integer. Anything else names no portal: such an event is
 * recorded as rejected under portal 0, never under a portal.
 */
export function portalsNamedBy(body: unknown): number[] {
  if (!Array.isArray(body)) return [];
  const ids = new Set<number>();
  for (const event of body as unknown[]) {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) continue;
    const id = (event as { portalId?: unknown }).portalId;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) ids.add(id);
  }
  return [...ids];
}

/**
 * Verifies an app-webhook signature (already read: refused headers never get here)
 * with the secret the named portals select (see AppSecrets). Look-ups are bounded:
 *  - one portal: one look-up (the caller caches it);
 *  - several portals: the public app's signature is checked first, so a forged batch
 *    costs no look-up at all; only an authentic one looks its portals up (together,
 *    when `secrets` can: portalSecrets).
 */
export async function authenticateAppWebhook(signature: Extract<SignatureHeaders, { ok: true }>, portalIds: readonly number[], secrets: AppSecrets): Promise<AppAuthentication> {
  const { version } = signature;
  if (portalIds.length === 1) {
    const portalId = portalIds[0]!;
    let own: string | undefined;
    try {
      own = await secrets.portalSecret(portalId);
    } catch (error) {
      // Unknown whether the portal has its own secret: never accept. A request the public
      // secret did not sign is refused (401, so the edge still counts forgeries); one it
      // did sign may be authentic, so HubSpot is asked to retry (503).
      if (!signature.matches(secrets.publicSecret)) return { valid: false, reason: `${signature.mismatch} (public app secret; portal ${portalId}'s own secret could not be read)` };
      return { valid: false, unavailable: true, error };
    }
    if (own !== undefined) {
      return signature.matches(own) ? { valid: true, version, signedBy: { app: 'private', portalId } } : { valid: false, reason: `${signature.mismatch} (portal ${portalId}'s private-app secret)` };
    }
  }
  if (!signature.matches(secrets.publicSecret)) return { valid: false, reason: signature.mismatch };
  if (portalIds.length > 1) {
    let privateApp: number | undefined;
    try {
      privateApp = await firstWithOwnSecret(portalIds, secrets);
    } catch (error) {
      return { valid: false, unavailable: true, error };
    }
    if (privateApp !== undefined) return { valid: false, reason: `mixed portals with a private-app portal (portal ${privateApp} among ${portalIds.length} portals)` };
  }
  return { valid: true, version, signedBy: { app: 'public' } };
}

/** The first of `portalIds` (in their order) with a secret of its own; undefined: none has one. */
async function firstWithOwnSecret(portalIds: readonly number[], secrets: AppSecrets): Promise<number | undefined> {
  if (secrets.portalSecrets) {
    const own = await secrets.portalSecrets(portalIds);
    return portalIds.find((portalId) => own.has(portalId));
  }
  // One at a time, stopping at the first: a batch of 100 new portals must not take the pool's every connection.
  for (const portalId of portalIds) if ((await secrets.portalSecret(portalId)) !== undefined) return portalId;
  return undefined;
}
