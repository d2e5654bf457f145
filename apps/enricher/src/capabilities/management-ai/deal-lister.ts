import { Injectable } from '@nestjs/common';
import { HubSpotApi, HubSpotBudget, sleep, type HubSpotCredential, type PortalHubSpotPlan } from '@app/common';
import { scopesNamedIn } from '@app/common';
import type { DealRecord } from './deal-facts';
import { openDealsSearchBody, readDealPage, type OpenDealsQuery } from './deal-search';

/** The scope HubSpot's CRM search of deals needs (crm.objects.deals.read). */
export const DEALS_READ_SCOPE = 'crm.objects.deals.read';

export interface DealListingPortal {
  portalId: number;
  token: HubSpotCredential;
  plan?: PortalHubSpotPlan;
}

export interface DealListingOptions {
  /** How long one page may wait for the portal's search pool before the listing is handed back (retry later). */
  maxBudgetWaitMs?: number;
  /** Attempts per page when HubSpot answers 429, 5xx or not at all. */
  attemptsPerPage?: number;
  /** A portal with more open deals than this is listed up to here and the rest reported, never paged forever. */
  maxDeals?: number;
  sleep?: (ms: number) => Promise<void>;
  /** When the listing began (the caller's clock): a listed deal HubSpot modified after it changed while the review paged. */
  startedAt?: Date;
}

export type DealListing =
  | {
      kind: 'listed';
      deals: DealRecord[];
      /** Searches sent (each took a token from the portal's search pool). */
      searchCalls: number;
      /**
       * HubSpot's answer changed while the review paged: a page's total of the ids still
       * ahead disagreed with the one before (deals opened, closed, created or deleted
       * between pages), or a listed deal was modified after the listing began. What was
       * listed is still whole by id (each id once, as HubSpot had it when its page was
       * read); this says the list is of a moving pipeline.
       */
      changedWhilePaging: boolean;
      /** Open deals left unlisted because the portal has more than `maxDeals`. */
      truncated: boolean;
    }
  /** Try again later: the search pool stayed spent, HubSpot answered 429/5xx, or did not answer. */
  | { kind: 'retry'; reason: string; waitMs?: number; searchCalls: number }
  /** An operator must act: a missing scope, a refused token, a search HubSpot rejects. */
  | { kind: 'failed'; reason: string; hubspotStatus: number | null; missingScopes?: string[]; searchCalls: number };

/**
 * Lists every open deal of a portal through HubSpot's CRM search, 200 at a time, by
 * hs_object_id ranges (openDealsSearchBody: no query ever reaches the 10,000-result
 * cap). Every search first takes a token from the portal's `search` pool (HubSpot: 5
 * per second per account, and search answers carry no rate-limit headers, so the
 * pool alone keeps the platform under it; docs/decisions/0021).
 */
@Injectable()
export class DealLister {
  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
  ) {}

  async openDeals(portal: DealListingPortal, query: OpenDealsQuery = {}, options: DealListingOptions = {}): Promise<DealListing> {
    const maxWait = options.maxBudgetWaitMs ?? 5_000;
    const attempts = options.attemptsPerPage ?? 3;
    const maxDeals = options.maxDeals ?? 100_000;
    const pause = options.sleep ?? sleep;
    const startedAt = (options.startedAt ?? new Date()).getTime();
    const byId = new Map<string, DealRecord>();
    let cursor: string | null = null;
    let searchCalls = 0;
    let expectedTotal: number | undefined;
    let changedWhilePaging = false;

    for (;;) {
      let page: ReturnType<typeof readDealPage>;
      for (let attempt = 1; ; attempt++) {
        const grant = await this.budget.acquireWithin({ portalId: portal.portalId, plan: portal.plan }, maxWait, 'search');
        if (!grant.granted) return { kind: 'retry', reason: `HubSpot search budget: ${grant.reason}`, waitMs: grant.waitMs, searchCalls };
        searchCalls += 1;
        const answer = await this.hubspot.call(portal.token, 'objects.search', { objectType: 'deals' }, { body: openDealsSearchBody(query, cursor) });
        const failure = await this.budget.learnFrom(portal.portalId, answer);
        if (answer.ok) {
          page = readDealPage(answer.body);
          if (page) break;
          return { kind: 'retry', reason: 'HubSpot answered the deals search in an unexpected shape', searchCalls };
        }
        const status = typeof answer.error.code === 'number' ? answer.error.code : null;
        switch (failure!.kind) {
          case 'retry':
            if (attempt >= attempts) return { kind: 'retry', reason: failure!.reason, waitMs: failure!.retryAfterMs, searchCalls };
            await pause(Math.min(failure!.retryAfterMs ?? 1_000 * attempt, maxWait));
            continue;
          case 'unauthorized': {
            if (failure!.status === 401) return { kind: 'failed', reason: `HubSpot refused the portal's token (${failure!.reason}): reconnect the portal`, hubspotStatus: 401, searchCalls };
            const named = scopesNamedIn(answer.error.body);
            const missing = named.length > 0 ? named : [DEALS_READ_SCOPE];
            return { kind: 'failed', reason: `the portal's token lacks the scope ${missing.join(', ')} to list deals (${failure!.reason})`, hubspotStatus: 403, missingScopes: missing, searchCalls };
          }
          case 'not-found':
          case 'rejected':
            return { kind: 'failed', reason: `HubSpot refused the deals search: ${failure!.reason}`, hubspotStatus: status, searchCalls };
        }
      }

      if (expectedTotal !== undefined && page.total !== expectedTotal) changedWhilePaging = true;
      for (const deal of page.deals) {
        byId.set(deal.id, deal);
        const modified = Date.parse(deal.properties.hs_lastmodifieddate ?? '');
        if (modified > startedAt) changedWhilePaging = true;
      }
      const last = page.deals[page.deals.length - 1];
      if (!page.more || last === undefined) return { kind: 'listed', deals: [...byId.values()], searchCalls, changedWhilePaging, truncated: false };
      if (cursor !== null && !idAbove(last.id, cursor)) {
        return { kind: 'failed', reason: `HubSpot's deals search did not move past id ${cursor}: ids must grow when sorted by hs_object_id`, hubspotStatus: 200, searchCalls };
      }
      if (byId.size >= maxDeals) return { kind: 'listed', deals: [...byId.values()], searchCalls, changedWhilePaging, truncated: true };
      // The next query asks for the ids above this page's last: HubSpot counts what is left.
      expectedTotal = page.total - page.deals.length;
      cursor = last.id;
    }
  }
}

/** HubSpot's record ids are decimal strings, possibly beyond 2^53: compared by length, then digits. */
function idAbove(id: string, than: string): boolean {
  return id.length !== than.length ? id.length > than.length : id > than;
}
