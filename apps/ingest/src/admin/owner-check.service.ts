import { Injectable } from '@nestjs/common';
import {
  classifyHubSpotFailure,
  HubSpotApi,
  HubSpotBudget,
  hubSpotMessage,
  readRateLimitHeaders,
  type PortalHubSpotPlan,
} from '@app/common';
import { collectOwnerIds, type RoutingSettings } from './routing-owner-ids';

/** The portal whose owners are checked, with the token to check them with. */
export interface OwnerCheckPortal {
  portalId: number;
  accessToken: string;
  plan?: PortalHubSpotPlan;
}

export type OwnerCheck =
  /** Save; `warnings` say what could not be checked. */
  | { kind: 'checked'; warnings: string[] }
  /** Do not save: 400 a setting names a wrong owner, 422 HubSpot refused the token, 503 HubSpot could not answer now. */
  | { kind: 'refused'; status: 400 | 422 | 503; messages: string[] };

type Lookup =
  | { kind: 'active' | 'deactivated' | 'unknown' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'no-scope' | 'token-refused' | 'unavailable'; reason: string };

/** How long one check waits in place for the portal's HubSpot budget before answering 503. */
const MAX_BUDGET_WAIT_MS = 5_000;

/**
 * Checks that the owner ids a portal's routing settings name are active owners of its HubSpot portal, with
 * `owners.get` (GET /crm/owners/2026-03/{ownerId}) and the portal's own token, each call inside the portal's
 * HubSpot budget like the enricher's CrmReader (docs/decisions/0008).
 *
 * HubSpot answers 404 for an owner id it does not know, and for a deactivated owner unless `archived=true` is
 * asked, so a 404 is asked again with `archived=true` to tell a deactivated owner from an unknown one.
 * A 403 (token without `crm.objects.owners.read`) lets the save through with a warning: routing still works, only
 * the check is missing. A 401, a 5xx, a 429 or no answer stops at the first owner and refuses the save, so
 * unverified owners are never stored. Owners are looked up one after the other (a portal names a few).
 */
@Injectable()
export class OwnerCheckService {
  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
  ) {}

  async check(portal: OwnerCheckPortal, settings: RoutingSettings): Promise<OwnerCheck> {
    const problems: string[] = [];
    const where = `HubSpot portal ${portal.portalId}`;
    for (const { ownerId, paths } of collectOwnerIds(settings)) {
      const found = await this.lookUp(portal, ownerId);
      switch (found.kind) {
        case 'active':
          break;
        case 'unknown':
          problems.push(...paths.map((path) => `${path}: owner ${ownerId} does not exist in ${where}`));
          break;
        case 'deactivated':
          problems.push(...paths.map((path) => `${path}: owner ${ownerId} is deactivated in ${where} (its user was removed); choose an active owner`));
          break;
        case 'rejected':
          problems.push(...paths.map((path) => `${path}: ${where} refused owner id ${ownerId}: ${found.reason}`));
          break;
        case 'no-scope':
          return {
            kind: 'checked',
            warnings: [`routing owner ids were not checked: the portal's HubSpot token may not read owners (${found.reason}); grant the crm.objects.owners.read scope to have them checked`],
          };
        case 'token-refused':
          return { kind: 'refused', status: 422, messages: [`${where} refused the access token while checking the routing owner ids (${found.reason}): send a valid accessToken; nothing was saved`] };
        case 'unavailable':
          return { kind: 'refused', status: 503, messages: [`could not check the routing owner ids with ${where} (${found.reason}); nothing was saved: retry later`] };
      }
    }
    return problems.length > 0 ? { kind: 'refused', status: 400, messages: problems } : { kind: 'checked', warnings: [] };
  }

  private async lookUp(portal: OwnerCheckPortal, ownerId: string): Promise<Lookup> {
    const active = await this.get(portal, ownerId, false);
    if (active !== 'not-found') return active;
    const archived = await this.get(portal, ownerId, true);
    if (archived === 'not-found') return { kind: 'unknown' };
    return archived.kind === 'active' ? { kind: 'deactivated' } : archived;
  }

  private async get(portal: OwnerCheckPortal, ownerId: string, archived: boolean): Promise<Lookup | 'not-found'> {
    const waited = await this.waitForBudget(portal);
    if (waited) return waited;
    const result = await this.hubspot.call(portal.accessToken, 'owners.get', { ownerId }, archived ? { query: { archived: 'true' } } : {});
    if (result.ok) {
      await this.budget.observe(portal.portalId, readRateLimitHeaders(result.headers));
      return { kind: 'active' };
    }
    const failure = classifyHubSpotFailure(result.error);
    switch (failure.kind) {
      case 'not-found':
        return 'not-found';
      case 'unauthorized':
        return { kind: failure.status === 403 ? 'no-scope' : 'token-refused', reason: `HubSpot ${failure.status}: ${hubSpotMessage(result.error)}` };
      case 'retry':
        if (failure.rateLimitPolicy) await this.budget.rateLimited(portal.portalId, failure.rateLimitPolicy, failure.retryAfterMs);
        return { kind: 'unavailable', reason: failure.reason };
      case 'rejected':
        return { kind: 'rejected', reason: failure.reason };
    }
  }

  /** Undefined once the budget granted a call; `unavailable` when the wait would be too long. */
  private async waitForBudget(portal: OwnerCheckPortal): Promise<Lookup | undefined> {
    const grant = await this.budget.acquireWithin({ portalId: portal.portalId, plan: portal.plan }, MAX_BUDGET_WAIT_MS);
    return grant.granted ? undefined : { kind: 'unavailable', reason: `the portal's HubSpot budget is spent for ${Math.ceil(grant.waitMs / 1000)} s: ${grant.reason}` };
  }
}
