import { Injectable } from '@nestjs/common';
import { HubSpotApi, HubSpotBudget, type CapabilityName, type HubSpotCredential, type PortalHubSpotPlan } from '@app/common';
import { missingScopesOf, readSearchPage, searchBody, type BackfillQuery, type SearchPage } from './backfill-search';

export interface ListingPortal {
  portalId: number;
  token: HubSpotCredential;
  plan?: PortalHubSpotPlan;
}

export type ListedPage =
  | ({ kind: 'page' } & SearchPage)
  /** Try again later: the search pool is spent, HubSpot answered 429/5xx, or did not answer. */
  | { kind: 'retry'; reason: string; waitMs?: number }
  /** An operator must act (a missing scope, a refused token, a filter HubSpot rejects). */
  | { kind: 'failed'; reason: string; hubspotStatus: number | null; missingScopes?: string[] };

/**
 * Lists one page of a backfill's records through HubSpot's CRM search, inside the
 * portal's search pool (its own per-second limit; search answers carry no rate-limit
 * headers, so the pool alone keeps it under HubSpot's).
 */
@Injectable()
export class BackfillLister {
  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
  ) {}

  async page(portal: ListingPortal, capability: CapabilityName, query: BackfillQuery, cursor: string | null, pageSize: number): Promise<ListedPage> {
    const grant = await this.budget.acquire({ portalId: portal.portalId, plan: portal.plan }, 'search');
    if (!grant.granted) return { kind: 'retry', reason: `HubSpot search budget: ${grant.reason}`, waitMs: grant.waitMs };
    const answer = await this.hubspot.call(portal.token, 'objects.search', { objectType: query.objectType }, { body: searchBody(query, cursor, pageSize) });
    const failure = await this.budget.learnFrom(portal.portalId, answer);
    if (answer.ok) {
      const page = readSearchPage(answer.body);
      return page ? { kind: 'page', ...page } : { kind: 'retry', reason: 'HubSpot answered the search in an unexpected shape' };
    }
    const status = typeof answer.error.code === 'number' ? answer.error.code : null;
    switch (failure!.kind) {
      case 'retry':
        return { kind: 'retry', reason: failure!.reason, waitMs: failure!.retryAfterMs };
      case 'unauthorized': {
        if (failure!.status === 401) return { kind: 'failed', reason: `HubSpot refused the portal's token (${failure!.reason}): reconnect the portal, then resume`, hubspotStatus: 401 };
        const missing = missingScopesOf(answer.error.body, capability, query.objectType);
        return {
          kind: 'failed',
          reason: `the portal's token lacks the scope ${missing.join(', ')} to list ${query.objectType} (${failure!.reason}): grant it, then resume`,
          hubspotStatus: 403,
          missingScopes: missing,
        };
      }
      case 'not-found':
      case 'rejected':
        return { kind: 'failed', reason: `HubSpot refused the search: ${failure!.reason}`, hubspotStatus: status };
    }
  }
}
