import { Injectable } from '@nestjs/common';
import {
  budgetRetry,
  isPlainObject,
  classifyHubSpotFailure,
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
import { markerIn, type CreatedRecord } from './create-outcomes';

/** One create whose fate is open: its command, and the record its note or task hangs on. */
export interface OpenCreate {
  commandId: string;
  engagement: 'notes' | 'tasks';
  objectType: CrmObjectType;
  objectId: string;
}

/** A call the read-back made, for the audit (HubSpotCallCompleted). */
export interface ReadBackCall {
  operation: string;
  apiVersion: string;
  status: number | null;
  correlationId: string | null;
  rateLimit: RateLimitSnapshot;
  durationMs: number;
  error?: string;
}

/** The audit record of one call that wrote nothing (a read-back, a label lookup). */
export function auditedCall(operation: string, answer: HubSpotCallResult, durationMs: number): ReadBackCall {
  const headers = answer.ok ? answer.headers : answer.error.headers;
  return {
    operation,
    apiVersion: answer.apiVersion,
    status: answer.ok ? answer.status : typeof answer.error.code === 'number' ? answer.error.code : null,
    correlationId: headers['x-hubspot-correlation-id'] ?? null,
    rateLimit: readRateLimitHeaders(headers),
    durationMs,
    ...(answer.ok ? {} : { error: answer.error.message ?? 'no response' }),
  };
}

export type ReadBackResult =
  /** `found` holds the records carrying a command's marker; a command not in it has no record in HubSpot. */
  | { kind: 'checked'; found: Map<string, CreatedRecord>; calls: ReadBackCall[] }
  /** `found` holds what was found before the failure: recorded, not read again. */
  | { kind: 'failed'; failure: HubSpotFailureClass; found: Map<string, CreatedRecord>; calls: ReadBackCall[]; waitingForBudget: boolean };

/** Associations are listed 500 per page, in id order: every page is read (up to 25,000), and the newest ids kept. */
const MAX_ASSOCIATION_PAGES = 50;
/** Engagements read per record (one batch read): the highest ids, the newest. */
const READ_LIMIT = 100;
const MAX_BUDGET_WAIT_MS = 5_000;

/**
 * Finds out whether HubSpot created a note or task whose answer was lost (a
 * timeout, a reset connection, a 5xx, a writer killed mid-call) before it is sent
 * again: lists the engagements associated with the record it belongs to and reads
 * their bodies for the command's marker. Associations are read, not the search
 * index, which HubSpot updates with a delay (docs/decisions/0018). Every call is
 * inside the portal's budget.
 */
@Injectable()
export class CreateReadBack {
  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
  ) {}

  async check(portal: { portalId: number; accessToken: HubSpotCredential; plan?: PortalHubSpotPlan }, creates: OpenCreate[], now: () => number = Date.now): Promise<ReadBackResult> {
    const calls: ReadBackCall[] = [];
    const found = new Map<string, CreatedRecord>();
    const groups = new Map<string, OpenCreate[]>();
    for (const c of creates) {
      const key = `${c.engagement}:${c.objectType}:${c.objectId}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    let waitingForBudget = false;
    const call = async (label: string, run: () => Promise<HubSpotCallResult>): Promise<HubSpotCallResult | { ok: false; failure: HubSpotFailureClass }> => {
      const waited = await this.waitForBudget(portal);
      if (waited) {
        waitingForBudget = true;
        return { ok: false, failure: waited };
      }
      const started = now();
      const answer = await run();
      calls.push(auditedCall(label, answer, now() - started));
      // Best effort: a budget that cannot be updated must not turn a read-back into a failure.
      await this.budget.learnFrom(portal.portalId, answer).catch(() => undefined);
      return answer;
    };
    const failed = (failure: HubSpotFailureClass): ReadBackResult => ({ kind: 'failed', failure, found, calls, waitingForBudget });

    for (const group of groups.values()) {
      const { engagement, objectType, objectId } = group[0]!;
      const ids: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < MAX_ASSOCIATION_PAGES; page++) {
        const listed = await call(`read-back list ${objectType} ${engagement}`, () =>
          this.hubspot.call(portal.accessToken, 'associations.list', { objectType, objectId, toObjectType: engagement }, { query: { limit: '500', ...(after ? { after } : {}) } }),
        );
        if (!listed.ok) {
          const failure = 'failure' in listed ? listed.failure : classifyHubSpotFailure(listed.error);
          // The record is gone: nothing can hang on it, and a new create will be refused for the same reason.
          if (failure.kind === 'not-found') break;
          return failed(failure);
        }
        const body = isPlainObject(listed.body) ? listed.body : {};
        for (const r of Array.isArray(body.results) ? body.results : []) {
          const id = isPlainObject(r) ? r.toObjectId : undefined;
          if ((typeof id === 'number' || typeof id === 'string') && /^\d+$/.test(String(id))) ids.push(String(id));
        }
        const next = isPlainObject(body.paging) && isPlainObject(body.paging.next) ? body.paging.next.after : undefined;
        after = typeof next === 'string' && next !== after ? next : undefined;
        if (!after) break;
      }
      if (ids.length === 0) continue;
      const newest = [...new Set(ids)].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0)).slice(0, READ_LIMIT);
      const bodyProperty = engagement === 'notes' ? 'hs_note_body' : 'hs_task_body';
      const read = await call(`read-back ${engagement}`, () =>
        this.hubspot.call(portal.accessToken, 'objects.batchRead', { objectType: engagement }, { body: { inputs: newest.map((id) => ({ id })), properties: [bodyProperty, 'hs_timestamp'], propertiesWithHistory: [] } }),
      );
      if (!read.ok) {
        const failure = 'failure' in read ? read.failure : classifyHubSpotFailure(read.error);
        if (failure.kind === 'not-found') continue;
        return failed(failure);
      }
      const wanted = new Set(group.map((c) => c.commandId));
      const results = isPlainObject(read.body) && Array.isArray(read.body.results) ? read.body.results : [];
      for (const r of results) {
        if (!isPlainObject(r) || !isPlainObject(r.properties) || (typeof r.id !== 'string' && typeof r.id !== 'number')) continue;
        const properties = r.properties as Record<string, string | null>;
        const commandId = markerIn(properties);
        if (commandId === undefined || !wanted.has(commandId)) continue;
        found.set(commandId, { id: String(r.id), properties, ...(typeof r.createdAt === 'string' ? { createdAt: r.createdAt } : {}) });
      }
    }
    return { kind: 'checked', found, calls };
  }

  private async waitForBudget(portal: { portalId: number; plan?: PortalHubSpotPlan }): Promise<HubSpotFailureClass | undefined> {
    const grant = await this.budget.acquireWithin({ portalId: portal.portalId, plan: portal.plan }, MAX_BUDGET_WAIT_MS);
    return grant.granted ? undefined : budgetRetry(grant);
  }

}
