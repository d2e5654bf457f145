import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { deterministicId, startStory } from '../events/envelope';
import type { EventStore } from '../event-store/event-store.repository';
import { StreamIds } from '../events/stream-ids';
import type { Logger } from '../logging/logger';
import type { Clock } from '../platform/tokens';
import type { OperatorAlerts } from '../portals/operator-alerts';
import type { PortalCredentials, PortalSecrets } from './portal-credentials';
import type { HubSpotOAuth } from './hubspot-oauth';

export interface PortalTokensOptions {
  /** Refresh when the access token has less than this left. */
  refreshSkewMs: number;
  /** How long a replica may hold a portal's refresh lease (it releases it when done). */
  leaseMs?: number;
  /** How long a caller waits for another replica's refresh before giving up (retriable). */
  waitForOtherReplicaMs?: number;
  /** How long a static token is cached (PORTAL_CACHE_MS). */
  cacheMs: number;
}

/** After a refresh HubSpot could not answer, the next one waits this long (per process and portal). */
export const REFRESH_RETRY_AFTER_UNAVAILABLE_MS = 5_000;
/** After a refresh HubSpot refused (invalid_client: this service's app credentials), the next one waits this long. */
export const REFRESH_RETRY_AFTER_REFUSAL_MS = 60_000;

/** A refresh HubSpot refused for good: the portal was paused and `access-revoked` raised. */
export class AccessRevokedError extends Error {
  readonly retriable = false;
  constructor(readonly portalId: number, reason: string) {
    super(`portal ${portalId}: HubSpot refused to refresh its token (${reason}); the portal is paused until it is reconnected`);
    this.name = 'AccessRevokedError';
  }
}

/** A token could not be refreshed right now (HubSpot or another replica did not answer in time). */
export class TokenUnavailableError extends Error {
  readonly retriable = true;
  constructor(readonly portalId: number, reason: string) {
    super(`portal ${portalId}: no usable token right now: ${reason}`);
    this.name = 'TokenUnavailableError';
  }
}

/**
 * Every portal's usable access token, for every service that calls HubSpot
 * (docs/decisions/0020). OAuth access tokens live 30 minutes: one is refreshed
 * when it has less than `refreshSkewMs` left, or once when HubSpot refused it
 * (401), by exactly one caller at a time: in a process, concurrent callers share
 * one refresh (single flight); across replicas, the refresh lease in Postgres
 * (portal_credentials.refresh_lease_*) elects one and the others wait for the
 * token version to move. A refresh HubSpot refuses for good (`invalid_grant`: the
 * app was uninstalled or the token revoked) pauses the portal's AI and raises
 * `access-revoked`; ingest keeps recording its webhooks.
 */
export class PortalTokens {
  private readonly inFlight = new Map<number, Promise<PortalSecrets>>();
  private readonly cache = new Map<number, { secrets: PortalSecrets; until: number }>();
  /**
   * Refreshes that failed for another reason than invalid_grant, per portal: none is
   * tried again before `until` (HubSpot's token endpoint down, or this service's
   * HUBSPOT_CLIENT_ID/SECRET wrong), so every retrying message does not ask again.
   */
  private readonly failed = new Map<number, { until: number; reason: string }>();
  /** This replica, as the lease and PortalTokenRefreshed name it. */
  readonly replicaId: string;

  constructor(
    private readonly credentials: PortalCredentials,
    private readonly oauth: HubSpotOAuth | undefined,
    private readonly eventStore: EventStore | undefined,
    private readonly alerts: OperatorAlerts | undefined,
    private readonly clock: Clock,
    private readonly options: PortalTokensOptions,
    private readonly logger?: Logger,
    service = 'service',
  ) {
    this.replicaId = `${service}@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /**
   * The portal's access token, refreshed first when it is about to expire (unless
   * `refresh` is false); undefined when the portal has none. A refresh HubSpot
   * refused for good leaves the stale token (the portal is paused by then).
   */
  async accessToken(portalId: number, { refresh = true }: { refresh?: boolean } = {}): Promise<string | undefined> {
    const now = this.clock().getTime();
    const cached = this.cache.get(portalId);
    let secrets = cached && cached.until > now ? cached.secrets : await this.credentials.read(portalId);
    if (!secrets) return undefined;
    if (refresh && this.expiring(secrets, now) && !refused(secrets)) {
      try {
        secrets = await this.refresh(portalId, secrets, 'expiring');
      } catch (error) {
        if (!(error instanceof AccessRevokedError)) throw error;
        return secrets.accessToken;
      }
    }
    this.remember(portalId, secrets, now);
    return secrets.accessToken;
  }

  /**
   * HubSpot refused `used` with 401: the token to try instead, refreshing once when
   * `used` is still the stored one. Undefined: there is no other (a static token,
   * or a refresh refused for good).
   */
  async afterUnauthorized(portalId: number, used: string): Promise<string | undefined> {
    this.cache.delete(portalId);
    const secrets = await this.credentials.read(portalId);
    if (!secrets) return undefined;
    // Replaced meanwhile (another replica refreshed, or an operator pasted a new token).
    if (secrets.accessToken !== used) return secrets.accessToken;
    if (secrets.mode !== 'oauth' || refused(secrets)) return undefined;
    try {
      const renewed = (await this.refresh(portalId, secrets, 'unauthorized')).accessToken;
      // Joined an expiring refresh that kept the old token (HubSpot's token endpoint failing): not a revocation, a retry.
      if (renewed === used) throw new TokenUnavailableError(portalId, 'the refresh kept the token HubSpot refused');
      return renewed;
    } catch (error) {
      if (error instanceof AccessRevokedError) return undefined;
      throw error;
    }
  }

  forget(portalId: number): void {
    this.cache.delete(portalId);
  }

  private expiring(secrets: PortalSecrets, now: number): boolean {
    return secrets.mode === 'oauth' && secrets.expiresAt !== null && secrets.expiresAt.getTime() - now < this.options.refreshSkewMs;
  }

  private remember(portalId: number, secrets: PortalSecrets, now: number): void {
    // Never past the point where the token needs refreshing.
    const refreshAt = secrets.expiresAt ? secrets.expiresAt.getTime() - this.options.refreshSkewMs : Infinity;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(portalId, { secrets, until: Math.min(now + this.options.cacheMs, refreshAt) });
  }

  /** One refresh per portal in this process at a time: later callers join the one running. */
  private refresh(portalId: number, seen: PortalSecrets, reason: 'expiring' | 'unauthorized'): Promise<PortalSecrets> {
    const running = this.inFlight.get(portalId);
    if (running) return running;
    const failed = this.failed.get(portalId);
    if (failed && failed.until > this.clock().getTime()) {
      // The old token may still have minutes left: better than nothing.
      if (reason === 'expiring' && seen.expiresAt && seen.expiresAt.getTime() > this.clock().getTime()) return Promise.resolve(seen);
      return Promise.reject(new TokenUnavailableError(portalId, `${failed.reason} (not asked again before ${new Date(failed.until).toISOString()})`));
    }
    const refresh = this.refreshOnce(portalId, seen, reason).finally(() => this.inFlight.delete(portalId));
    this.inFlight.set(portalId, refresh);
    return refresh;
  }

  private async refreshOnce(portalId: number, seen: PortalSecrets, reason: 'expiring' | 'unauthorized'): Promise<PortalSecrets> {
    const leaseMs = this.options.leaseMs ?? 15_000;
    if (!(await this.credentials.tryLease(portalId, this.replicaId, leaseMs))) return this.awaitOtherReplica(portalId, seen, reason);
    try {
      // Another replica may have refreshed between our read and the lease.
      const current = await this.credentials.read(portalId);
      if (!current) throw new TokenUnavailableError(portalId, 'the portal was disconnected');
      if (current.version !== seen.version && !this.expiring(current, this.clock().getTime())) return current;
      if (refused(current)) throw new AccessRevokedError(portalId, 'invalid_grant (recorded)');
      if (!current.refreshToken) throw new TokenUnavailableError(portalId, 'no refresh token is stored');
      if (!this.oauth?.configured) throw new TokenUnavailableError(portalId, 'HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are not configured in this service');
      const answer = await this.oauth.refresh(current.refreshToken);
      if (!answer.ok) {
        if (answer.failure.kind === 'invalid-grant') {
          // Recorded with the credentials and the alert in one transaction, so no replica asks HubSpot
          // again for this version and the alert cannot be lost; a reconnection meanwhile records neither.
          const newer = await this.revoked(portalId, current.version, answer.failure.description, answer.failure.status);
          if (newer) return newer;
          throw new AccessRevokedError(portalId, answer.failure.code ?? answer.failure.description);
        }
        // invalid_client (HUBSPOT_CLIENT_ID/SECRET wrong in this service) or another refusal will not pass on its own: a minute;
        // HubSpot's token endpoint down: a few seconds. Either way one call per interval, not one per retrying message.
        const pauseMs = answer.failure.kind === 'unavailable' ? REFRESH_RETRY_AFTER_UNAVAILABLE_MS : REFRESH_RETRY_AFTER_REFUSAL_MS;
        const why = `HubSpot refused the refresh (${answer.failure.kind}, ${answer.failure.status ?? 'no answer'})`;
        this.failed.set(portalId, { until: this.clock().getTime() + pauseMs, reason: why });
        const log = answer.failure.kind === 'invalid-client' ? this.logger?.error.bind(this.logger) : this.logger?.warn.bind(this.logger);
        log?.(answer.failure.kind === 'invalid-client' ? `portal ${portalId}: token refresh refused: check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET in this service` : `portal ${portalId}: token refresh failed`, {
          portalId,
          kind: answer.failure.kind,
          status: answer.failure.status,
          code: answer.failure.code,
        });
        // The old token may still have minutes left: better than nothing.
        if (reason === 'expiring' && current.expiresAt && current.expiresAt.getTime() > this.clock().getTime()) return current;
        throw new TokenUnavailableError(portalId, why);
      }
      const now = this.clock();
      const expiresAt = new Date(now.getTime() + answer.value.expiresIn * 1000);
      const refreshToken = answer.value.refreshToken !== current.refreshToken ? answer.value.refreshToken : undefined;
      const version = await this.credentials.storeRefreshed(portalId, current.version, { accessToken: answer.value.accessToken, expiresAt, ...(refreshToken ? { refreshToken } : {}) });
      if (version === undefined) {
        // Reconnected while this refresh ran: the newer credentials win (this token is dropped).
        const newer = await this.credentials.read(portalId);
        if (!newer) throw new TokenUnavailableError(portalId, 'the portal was disconnected');
        return newer;
      }
      if (this.eventStore) {
        const event = startStory({ type: 'PortalTokenRefreshed', portalId, data: { expiresAt: expiresAt.toISOString(), reason, by: this.replicaId } }, now);
        await this.eventStore.append({ streamId: StreamIds.portal(portalId), events: [event] });
      }
      this.failed.delete(portalId);
      this.logger?.info(`portal ${portalId}: access token refreshed`, { portalId, reason, expiresAt: expiresAt.toISOString() });
      return { ...current, accessToken: answer.value.accessToken, expiresAt, ...(refreshToken ? { refreshToken } : {}), version };
    } finally {
      await this.credentials.releaseLease(portalId, this.replicaId);
    }
  }

  /**
   * Another replica holds the lease: wait for the stored token to change. When that
   * replica recorded HubSpot's refusal, so does this one (no second call, no second
   * alert); when it let go without a new token (a failure) or its lease ran out (it
   * crashed), this replica tries itself.
   */
  private async awaitOtherReplica(portalId: number, seen: PortalSecrets, reason: 'expiring' | 'unauthorized'): Promise<PortalSecrets> {
    const deadline = Date.now() + (this.options.waitForOtherReplicaMs ?? (this.options.leaseMs ?? 15_000) + 5_000);
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const current = await this.credentials.read(portalId);
      if (!current) throw new TokenUnavailableError(portalId, 'the portal was disconnected');
      if (current.version !== seen.version) return current;
      if (refused(current)) {
        this.cache.delete(portalId);
        throw new AccessRevokedError(portalId, 'invalid_grant (recorded by another replica)');
      }
      if (current.leaseUntil === null || current.leaseUntil.getTime() < Date.now()) {
        if (await this.credentials.tryLease(portalId, this.replicaId, this.options.leaseMs ?? 15_000)) return this.refreshOnce(portalId, current, reason);
      }
    }
    throw new TokenUnavailableError(portalId, 'another replica is refreshing the token');
  }

  /**
   * Records HubSpot's refusal of `version` with the credentials and raises access-revoked
   * (pausing the portal) in one transaction, with one alert per version whichever
   * replica records it. Returns the newer credentials instead when a reconnection
   * replaced them meanwhile (then nothing is recorded).
   */
  private async revoked(portalId: number, version: number, description: string, status: number | null): Promise<PortalSecrets | undefined> {
    this.cache.delete(portalId);
    const alert = {
      alert: 'access-revoked' as const,
      message: `HubSpot refused to refresh the portal's OAuth token (${description}): the app was uninstalled or its access revoked. The portal's AI is paused; webhooks are still recorded. Reconnect it with an install link (POST /admin/install-links {"portalId":${portalId}}): that clears this alert and resumes the portal; then redrive the enricher's dead letters of the time it was revoked.`,
      hubspotStatus: status,
      pause: true,
    };
    let stale = false;
    const markRefused = async (manager: EntityManager) => {
      stale = !(await this.credentials.markRefused(portalId, version, manager));
      if (stale) throw new CredentialsReplaced();
    };
    try {
      if (this.alerts) await this.alerts.raise(undefined, portalId, alert, { id: deterministicId('access-revoked', portalId, version), alsoInTransaction: markRefused });
      else await this.credentials.markRefused(portalId, version);
    } catch (error) {
      if (!(error instanceof CredentialsReplaced)) throw error;
    }
    return stale ? await this.credentials.read(portalId) : undefined;
  }
}

/** Thrown inside the refusal's transaction to roll it back when a reconnection replaced the credentials. */
class CredentialsReplaced extends Error {}

/** HubSpot refused to refresh these credentials for good (recorded by any replica); a reconnect stores new ones. */
function refused(secrets: PortalSecrets): boolean {
  return secrets.refusedVersion !== null && secrets.refusedVersion === secrets.version;
}
