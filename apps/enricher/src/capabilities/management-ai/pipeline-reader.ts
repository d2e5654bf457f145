import { Injectable } from '@nestjs/common';
import { HubSpotApi, HubSpotBudget, isPlainObject, scopesNamedIn, sleep } from '@app/common';
import type { PipelineStages } from './deal-facts';
import { DEALS_READ_SCOPE, type DealListingPortal } from './deal-lister';

export interface PipelineReadOptions {
  /** How long the read may wait for the portal's budget before it is handed back (retry later). */
  maxBudgetWaitMs?: number;
  /** Attempts when HubSpot answers 429, 5xx or not at all. */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type PipelineRead =
  | { kind: 'read'; pipelines: PipelineStages }
  /** Try again later: the portal's budget stayed spent, HubSpot answered 429/5xx, or did not answer. */
  | { kind: 'retry'; reason: string; waitMs?: number }
  /** HubSpot will not answer this as asked: a missing scope (403), a refused token (401), a refusal or an answer of another shape. */
  | { kind: 'failed'; reason: string; hubspotStatus: number | null; missingScopes?: string[] };

/**
 * Reads a portal's deal pipelines (`pipelines.list`, GET /crm/pipelines/2026-03/deals),
 * so the review can tell a deal whose pipeline or stage was deleted since and use each
 * stage's probability as the portal set it. One call per review, taken from the portal's
 * shared (standard) budget like CrmReader's reads: the pipelines API is not a search, so
 * the search pool, which DealLister spends, is left alone.
 */
@Injectable()
export class PipelineReader {
  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
  ) {}

  async dealPipelines(portal: DealListingPortal, options: PipelineReadOptions = {}): Promise<PipelineRead> {
    const maxWait = options.maxBudgetWaitMs ?? 5_000;
    const attempts = options.attempts ?? 3;
    const pause = options.sleep ?? sleep;
    for (let attempt = 1; ; attempt++) {
      const grant = await this.budget.acquireWithin({ portalId: portal.portalId, plan: portal.plan }, maxWait);
      if (!grant.granted) return { kind: 'retry', reason: `HubSpot budget: ${grant.reason}`, waitMs: grant.waitMs };
      const answer = await this.hubspot.call(portal.token, 'pipelines.list', { objectType: 'deals' });
      const failure = await this.budget.learnFrom(portal.portalId, answer);
      if (answer.ok) {
        const pipelines = pipelineStagesOf(answer.body);
        return pipelines
          ? { kind: 'read', pipelines }
          : { kind: 'failed', reason: 'HubSpot answered the deal pipelines in an unexpected shape', hubspotStatus: answer.status };
      }
      const status = typeof answer.error.code === 'number' ? answer.error.code : null;
      if (!failure) return { kind: 'retry', reason: `HubSpot did not answer the deal pipelines (${String(answer.error.code)})` };
      switch (failure.kind) {
        case 'retry':
          if (attempt >= attempts) return { kind: 'retry', reason: failure.reason, waitMs: failure.retryAfterMs };
          await pause(Math.min(failure.retryAfterMs ?? 1_000 * attempt, maxWait));
          continue;
        case 'unauthorized': {
          if (failure.status === 401) return { kind: 'failed', reason: `HubSpot refused the portal's token (${failure.reason}): reconnect the portal`, hubspotStatus: 401 };
          const named = scopesNamedIn(answer.error.body);
          const missing = named.length > 0 ? named : [DEALS_READ_SCOPE];
          return { kind: 'failed', reason: `the portal's token lacks the scope ${missing.join(', ')} to read deal pipelines (${failure.reason})`, hubspotStatus: 403, missingScopes: missing };
        }
        case 'not-found':
        case 'rejected':
          return { kind: 'failed', reason: `HubSpot refused the deal pipelines: ${failure.reason}`, hubspotStatus: status };
      }
    }
  }
}

/**
 * The pipelines API's answer as PipelineStages: pipeline id → stage id → probability.
 * Archived pipelines and stages are left out (deleted ones: a deal still in one is then
 * 'unknown-stage'). A probability is HubSpot's `metadata.probability` string parsed
 * ("0.2" → 0.2); null when absent, unparseable or outside 0–1, so the deal's own
 * hs_deal_stage_probability is used instead. Undefined for an answer of another shape.
 * Pure.
 */
export function pipelineStagesOf(body: unknown): PipelineStages | undefined {
  if (!isPlainObject(body) || !Array.isArray(body.results)) return undefined;
  const pipelines = new Map<string, ReadonlyMap<string, { probability: number | null }>>();
  for (const pipeline of body.results) {
    if (!isPlainObject(pipeline) || typeof pipeline.id !== 'string' || !Array.isArray(pipeline.stages)) return undefined;
    if (pipeline.archived === true) continue;
    const stages = new Map<string, { probability: number | null }>();
    for (const stage of pipeline.stages) {
      if (!isPlainObject(stage) || typeof stage.id !== 'string') return undefined;
      if (stage.archived === true) continue;
      stages.set(stage.id, { probability: probabilityOf(isPlainObject(stage.metadata) ? stage.metadata.probability : undefined) });
    }
    pipelines.set(pipeline.id, stages);
  }
  return pipelines;
}

/** HubSpot sends the probability as a string ("0.2"); v1 sent a number, so both are read. */
function probabilityOf(raw: unknown): number | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  if (typeof raw === 'string' && raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : null;
}
