import { Injectable } from '@nestjs/common';
import {
  classifyHubSpotFailure,
  HubSpotBudget,
  HubSpotClientFactory,
  readRateLimitHeaders,
  sleep,
  type CrmObjectType,
  type HubSpotErrorLike,
  type HubSpotFailureClass,
  type PortalHubSpotPlan,
  type RateLimitSnapshot,
} from '@app/common';

export type CrmReadResult =
  | { kind: 'found'; id: string; properties: Record<string, string | null>; status: number; rateLimit: RateLimitSnapshot }
  | { kind: 'failed'; failure: HubSpotFailureClass };

export interface PortalCredentials {
  portalId: number;
  accessToken: string;
  plan?: PortalHubSpotPlan;
}

/** How long a read waits in place for its portal's budget before handing the trigger back for a retry. */
const MAX_BUDGET_WAIT_MS = 5_000;

/**
 * Reads CRM objects of one portal with that portal's own token, inside the
 * portal's HubSpot budget (shared with the writer: docs/decisions/0008).
 */
@Injectable()
export class CrmReader {
  constructor(
    private readonly clients: HubSpotClientFactory,
    private readonly budget: HubSpotBudget,
  ) {}

  async getObject(portal: PortalCredentials, objectType: CrmObjectType, objectId: string, properties: readonly string[]): Promise<CrmReadResult> {
    const waited = await this.waitForBudget(portal);
    if (waited) return waited;
    const client = this.clients.forToken(portal.accessToken);
    try {
      const response = await client.crm.objects.basicApi.getByIdWithHttpInfo(objectType, objectId, [...properties]);
      const rateLimit = readRateLimitHeaders(response.headers);
      await this.budget.observe(portal.portalId, rateLimit);
      return { kind: 'found', id: response.data.id, properties: response.data.properties, status: response.httpStatusCode, rateLimit };
    } catch (error) {
      const e = error as HubSpotErrorLike;
      const failure = classifyHubSpotFailure(e);
      if (failure.kind === 'retry' && failure.rateLimitPolicy) await this.budget.rateLimited(portal.portalId, failure.rateLimitPolicy, failure.retryAfterMs);
      return { kind: 'failed', failure };
    }
  }

  /** Undefined once the budget granted a call; a retriable failure when the wait would be too long. */
  private async waitForBudget(portal: PortalCredentials): Promise<CrmReadResult | undefined> {
    const deadline = Date.now() + MAX_BUDGET_WAIT_MS;
    for (;;) {
      const grant = await this.budget.acquire({ portalId: portal.portalId, plan: portal.plan });
      if (grant.granted) return undefined;
      if (Date.now() + grant.waitMs > deadline) return { kind: 'failed', failure: { kind: 'retry', reason: `HubSpot budget: ${grant.reason}`, retryAfterMs: grant.waitMs } };
      await sleep(grant.waitMs);
    }
  }
}
