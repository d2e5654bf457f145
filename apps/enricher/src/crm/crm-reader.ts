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

export interface CrmRecord {
  id: string;
  properties: Record<string, string | null>;
}

/** The ids a record is associated with, per object type; `primaryId` when HubSpot labels one as primary. */
export interface AssociatedIds {
  ids: string[];
  primaryId?: string;
}

export interface CrmRecordWithAssociations extends CrmRecord {
  associations: Partial<Record<CrmObjectType, AssociatedIds>>;
}

export type CrmFound<T> = { kind: 'found'; value: T; status: number; rateLimit: RateLimitSnapshot };
export type CrmRead<T> = CrmFound<T> | { kind: 'failed'; failure: HubSpotFailureClass };

export interface PortalCredentials {
  portalId: number;
  accessToken: string;
  plan?: PortalHubSpotPlan;
}

/** How long a read waits in place for its portal's budget before handing the trigger back for a retry. */
const MAX_BUDGET_WAIT_MS = 5_000;
/** HubSpot's batch read limit per call. */
const BATCH_READ_LIMIT = 100;

/**
 * Reads CRM records of one portal with that portal's own token, every call inside
 * the portal's HubSpot budget (shared with the writer: docs/decisions/0008).
 */
@Injectable()
export class CrmReader {
  constructor(
    private readonly clients: HubSpotClientFactory,
    private readonly budget: HubSpotBudget,
  ) {}

  /** One record and, in the same call, the ids of the records it is associated with (v3 `associations=`). */
  async getRecord(
    portal: PortalCredentials,
    objectType: CrmObjectType,
    objectId: string,
    properties: readonly string[],
    associatedTypes: readonly CrmObjectType[] = [],
  ): Promise<CrmRead<CrmRecordWithAssociations>> {
    return this.call(portal, async (client) => {
      const response = await client.crm.objects.basicApi.getByIdWithHttpInfo(
        objectType,
        objectId,
        [...properties],
        undefined,
        associatedTypes.length > 0 ? [...associatedTypes] : undefined,
      );
      const associations: Partial<Record<CrmObjectType, AssociatedIds>> = {};
      for (const type of associatedTypes) {
        const results = (response.data.associations as Record<string, { results: Array<{ id: string; type: string }> }> | undefined)?.[type]?.results ?? [];
        associations[type] = associatedIdsOf(results);
      }
      return { value: { id: response.data.id, properties: response.data.properties, associations }, status: response.httpStatusCode, headers: response.headers };
    });
  }

  /** Many records of one type by id; ids HubSpot no longer has are left out (a 207). */
  async batchRead(portal: PortalCredentials, objectType: CrmObjectType, ids: readonly string[], properties: readonly string[]): Promise<CrmRead<CrmRecord[]>> {
    const unique = [...new Set(ids)].slice(0, BATCH_READ_LIMIT);
    if (unique.length === 0) return { kind: 'found', value: [], status: 200, rateLimit: {} };
    return this.call(portal, async (client) => {
      const response = await client.crm.objects.batchApi.readWithHttpInfo(objectType, {
        inputs: unique.map((id) => ({ id })),
        properties: [...properties],
        propertiesWithHistory: [],
      });
      const records = response.data.results.map((r) => ({ id: r.id, properties: r.properties }));
      return { value: records, status: response.httpStatusCode, headers: response.headers };
    });
  }

  private async call<T>(
    portal: PortalCredentials,
    request: (client: ReturnType<HubSpotClientFactory['forToken']>) => Promise<{ value: T; status: number; headers: Record<string, string> }>,
  ): Promise<CrmRead<T>> {
    const waited = await this.waitForBudget(portal);
    if (waited) return waited;
    try {
      const { value, status, headers } = await request(this.clients.forToken(portal.accessToken));
      const rateLimit = readRateLimitHeaders(headers);
      await this.budget.observe(portal.portalId, rateLimit);
      return { kind: 'found', value, status, rateLimit };
    } catch (error) {
      const failure = classifyHubSpotFailure(error as HubSpotErrorLike);
      if (failure.kind === 'retry' && failure.rateLimitPolicy) await this.budget.rateLimited(portal.portalId, failure.rateLimitPolicy, failure.retryAfterMs);
      return { kind: 'failed', failure };
    }
  }

  /** Undefined once the budget granted a call; a retriable failure when the wait would be too long. */
  private async waitForBudget(portal: PortalCredentials): Promise<CrmRead<never> | undefined> {
    const deadline = Date.now() + MAX_BUDGET_WAIT_MS;
    for (;;) {
      const grant = await this.budget.acquire({ portalId: portal.portalId, plan: portal.plan });
      if (grant.granted) return undefined;
      if (Date.now() + grant.waitMs > deadline) return { kind: 'failed', failure: { kind: 'retry', reason: `HubSpot budget: ${grant.reason}`, retryAfterMs: grant.waitMs } };
      await sleep(grant.waitMs);
    }
  }
}

/**
 * v3 lists an association once per type: `contact_to_company` is the primary one
 * and `contact_to_company_unlabeled` the plain one, often for the same id.
 */
export function associatedIdsOf(results: ReadonlyArray<{ id: string; type: string }>): AssociatedIds {
  const ids = [...new Set(results.map((r) => String(r.id)))];
  const primary = results.find((r) => isPrimaryType(r.type));
  return primary ? { ids, primaryId: String(primary.id) } : { ids };
}

/** The primary type names (e.g. contact_to_company, ticket_to_company) — HubSpot's v3 name for the primary label. */
function isPrimaryType(type: string): boolean {
  return /^(contact|deal|ticket)_to_company$/.test(type);
}
