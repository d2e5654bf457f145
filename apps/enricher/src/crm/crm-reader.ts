import { Injectable } from '@nestjs/common';
import {
  budgetRetry,
  HubSpotApi,
  HubSpotBudget,
  readRateLimitHeaders,
  type CrmObjectType,
  type HubSpotCallResult,
  type HubSpotCredential,
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

export type CrmFound<T> = { kind: 'found'; value: T; status: number; rateLimit: RateLimitSnapshot; apiVersion?: string };
export type CrmRead<T> = CrmFound<T> | { kind: 'failed'; failure: HubSpotFailureClass };

export interface PortalCredentials {
  portalId: number;
  /** A renewable token (PortalAccess) in the services: renewed once after a 401. */
  accessToken: HubSpotCredential;
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
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
  ) {}

  /** One record and, in the same call, the ids of the records it is associated with (`associations=`). */
  async getRecord(
    portal: PortalCredentials,
    objectType: CrmObjectType,
    objectId: string,
    properties: readonly string[],
    associatedTypes: readonly CrmObjectType[] = [],
  ): Promise<CrmRead<CrmRecordWithAssociations>> {
    const query = { properties, ...(associatedTypes.length > 0 ? { associations: associatedTypes } : {}) };
    return this.call(portal, () => this.hubspot.call(portal.accessToken, 'objects.get', { objectType, objectId }, { query }), (body) => {
      const record = body as { id: string; properties: Record<string, string | null>; associations?: Record<string, { results?: Array<{ id: string; type: string }> }> };
      const associations: Partial<Record<CrmObjectType, AssociatedIds>> = {};
      for (const type of associatedTypes) associations[type] = associatedIdsOf(record.associations?.[type]?.results ?? []);
      return { id: String(record.id), properties: record.properties ?? {}, associations };
    });
  }

  /** Many records of one type by id, matched by id (HubSpot answers in no set order); ids HubSpot no longer has are left out (a 207). */
  async batchRead(portal: PortalCredentials, objectType: CrmObjectType, ids: readonly string[], properties: readonly string[]): Promise<CrmRead<CrmRecord[]>> {
    const unique = [...new Set(ids)].slice(0, BATCH_READ_LIMIT);
    if (unique.length === 0) return { kind: 'found', value: [], status: 200, rateLimit: {} };
    const body = { inputs: unique.map((id) => ({ id })), properties: [...properties], propertiesWithHistory: [] };
    return this.call(portal, () => this.hubspot.call(portal.accessToken, 'objects.batchRead', { objectType }, { body }), (answer) => {
      const results = (answer as { results?: Array<{ id: string; properties: Record<string, string | null> }> } | undefined)?.results ?? [];
      return results.map((r) => ({ id: String(r.id), properties: r.properties ?? {} }));
    });
  }

  private async call<T>(portal: PortalCredentials, request: () => Promise<HubSpotCallResult>, read: (body: unknown) => T): Promise<CrmRead<T>> {
    const waited = await this.waitForBudget(portal);
    if (waited) return waited;
    const answer = await request();
    const failure = await this.budget.learnFrom(portal.portalId, answer);
    if (!answer.ok) return { kind: 'failed', failure: failure! };
    try {
      return { kind: 'found', value: read(answer.body), status: answer.status, rateLimit: readRateLimitHeaders(answer.headers), apiVersion: answer.apiVersion };
    } catch (error) {
      // An answer of a shape HubSpot does not document: retried like a 5xx, never a crash.
      return { kind: 'failed', failure: { kind: 'retry', reason: `HubSpot answered ${answer.operation} in an unexpected shape: ${(error as Error).message}` } };
    }
  }

  /** Undefined once the budget granted a call; a retriable failure when the wait would be too long. */
  private async waitForBudget(portal: PortalCredentials): Promise<CrmRead<never> | undefined> {
    const grant = await this.budget.acquireWithin({ portalId: portal.portalId, plan: portal.plan }, MAX_BUDGET_WAIT_MS);
    return grant.granted ? undefined : { kind: 'failed', failure: budgetRetry(grant) };
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
