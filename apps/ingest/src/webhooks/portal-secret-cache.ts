import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, PortalRepository, type Clock } from '@app/common';

/** How long a portal's own client secret is kept: a secret changed in the registry applies within this time. */
export const PORTAL_SECRET_TTL_MS = 60_000;
/** How long "no secret of its own" is kept: briefly, so a private-app portal registered a moment ago verifies soon. */
export const NO_PORTAL_SECRET_TTL_MS = 5_000;
/** How long a failed look-up is remembered: a registry outage must not become one query per forged request. */
export const FAILED_SECRET_LOOKUP_TTL_MS = 1_000;
/** Portal ids remembered at most (a secret is a few dozen bytes); the oldest entry goes first. */
export const MAX_CACHED_PORTAL_SECRETS = 10_000;

interface Entry {
  secret: Promise<string | undefined>;
  /** Infinity while the look-up runs: concurrent requests for the portal share it. */
  expiresAt: number;
}

/**
 * The private-app client secrets that verify app and workflow webhooks
 * (signing-secret.ts), cached per portal id, found or not, so a flood of requests
 * naming a portal, real or made up, costs one look-up per portal id per interval
 * (a batch's uncached ids: one look-up for them all). Memory is bounded by
 * MAX_CACHED_PORTAL_SECRETS. Decrypted secrets live only in this process's memory.
 */
@Injectable()
export class PortalSecretCache {
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly portals: PortalRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  clientSecret(portalId: number): Promise<string | undefined> {
    return this.cached(portalId) ?? this.remember(portalId, this.lookUp(portalId));
  }

  /**
   * The own secrets of those of `portalIds` that have one (a portal absent from the map
   * has none), each id cached as by clientSecret: the ids not cached are looked up
   * together, in one query, and a look-up already running for an id is shared. Rejects
   * when any of them could not be read.
   */
  async clientSecrets(portalIds: readonly number[]): Promise<Map<number, string>> {
    const ids = [...new Set(portalIds)];
    const secrets = new Map<number, Promise<string | undefined>>();
    const uncached: number[] = [];
    for (const portalId of ids) {
      const cached = this.cached(portalId);
      if (cached) secrets.set(portalId, cached);
      else uncached.push(portalId);
    }
    if (uncached.length > 0) {
      const found = this.lookUpMany(uncached);
      for (const portalId of uncached) secrets.set(portalId, this.remember(portalId, found.then((own) => own.get(portalId))));
    }
    const answers = await Promise.all(ids.map((portalId) => secrets.get(portalId)));
    const own = new Map<number, string>();
    ids.forEach((portalId, i) => {
      const secret = answers[i];
      if (secret !== undefined) own.set(portalId, secret);
    });
    return own;
  }

  /** Portal ids remembered now (for tests and metrics). */
  size(): number {
    return this.entries.size;
  }

  /** The portal's entry while it is fresh (or its look-up still runs); undefined: to be looked up. */
  private cached(portalId: number): Promise<string | undefined> | undefined {
    const entry = this.entries.get(portalId);
    return entry && entry.expiresAt > this.now() ? entry.secret : undefined;
  }

  /** Caches a look-up of the portal as the newest entry (dropping the oldest when full), dated once it settles. */
  private remember(portalId: number, secret: Promise<string | undefined>): Promise<string | undefined> {
    this.entries.delete(portalId);
    while (this.entries.size >= MAX_CACHED_PORTAL_SECRETS) this.entries.delete(this.entries.keys().next().value as number);

    const entry: Entry = { secret, expiresAt: Number.POSITIVE_INFINITY };
    this.entries.set(portalId, entry);
    // The caller handles a rejection; this only dates the entry.
    entry.secret.then(
      (found) => (entry.expiresAt = this.now() + (found === undefined ? NO_PORTAL_SECRET_TTL_MS : PORTAL_SECRET_TTL_MS)),
      () => (entry.expiresAt = this.now() + FAILED_SECRET_LOOKUP_TTL_MS),
    );
    return entry.secret;
  }

  private async lookUp(portalId: number): Promise<string | undefined> {
    return this.portals.credentials.clientSecret(portalId);
  }

  private async lookUpMany(portalIds: number[]): Promise<Map<number, string>> {
    return this.portals.credentials.clientSecrets(portalIds);
  }

  private now(): number {
    return this.clock().getTime();
  }
}
