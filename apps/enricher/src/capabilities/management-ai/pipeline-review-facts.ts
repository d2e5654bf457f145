import { REVIEW_DEALS_RECORDED, type PipelineReviewFacts, type ReviewedDeal, type StageTotals } from '@app/common';
import { ATTENTION_REASONS, dealFacts, type AttentionReason, type DealRecord, type PipelineStages } from './deal-facts';
import type { ReviewThresholds } from './review-thresholds';

export interface ReviewFactsInput {
  deals: readonly DealRecord[];
  now: Date;
  thresholds: ReviewThresholds;
  /** The portal's pipelines when read: deals in a pipeline or stage not among them are 'unknown-stage'. */
  pipelines?: PipelineStages;
  /** At most this many deals needing attention are kept (the rest are counted). */
  cap?: number;
}

export type ReviewFactsSummary = Pick<PipelineReviewFacts, 'counts' | 'needingAttention' | 'needingAttentionLeftOut'>;

/**
 * The review's facts of a portal's open deals at `now`: counts, and the deals that
 * need attention with what their reasons rest on. Kept first: the deals with most
 * reasons, then the larger amounts (unknown last), then the lower ids, so the same
 * deals give the same event. Pure.
 */
export function reviewFacts({ deals, now, thresholds, pipelines, cap = REVIEW_DEALS_RECORDED }: ReviewFactsInput): ReviewFactsSummary {
  const byReason = Object.fromEntries(ATTENTION_REASONS.map((r) => [r, 0])) as Record<AttentionReason, number>;
  const needing: ReviewedDeal[] = [];
  const byStage = new Map<string, StageTotals>();
  const byCloseDate: Record<string, { deals: number; amount: number }> = {};
  const closeWindow = closeDateWindow(now);
  for (const deal of deals) {
    const facts = dealFacts(deal, now, thresholds, pipelines);
    const stageKey = JSON.stringify([facts.pipeline, facts.stage]);
    const totals = byStage.get(stageKey) ?? { pipeline: facts.pipeline, stage: facts.stage, deals: 0, amount: 0, withoutAmount: 0 };
    totals.deals += 1;
    if (facts.amount === null) totals.withoutAmount += 1;
    else totals.amount += facts.amount;
    byStage.set(stageKey, totals);
    const closeDay = facts.closeDate?.slice(0, 10);
    if (closeDay !== undefined && closeDay >= closeWindow.from && closeDay <= closeWindow.to) {
      const day = (byCloseDate[closeDay] ??= { deals: 0, amount: 0 });
      day.deals += 1;
      day.amount += facts.amount ?? 0;
    }
    if (facts.attention.length === 0) continue;
    for (const reason of facts.attention) byReason[reason] += 1;
    const owner = deal.properties.hubspot_owner_id?.trim();
    needing.push({
      dealId: facts.dealId,
      ownerId: owner ? owner : null,
      amount: facts.amount,
      pipeline: facts.pipeline,
      stage: facts.stage,
      reasons: facts.attention,
      daysSinceLastActivity: facts.daysSinceLastActivity,
      activityLogged: facts.activityLogged,
      daysInStage: facts.daysInStage,
      closeDate: facts.closeDate,
      closeDatePassed: facts.closeDatePassed,
      stageProbability: facts.stageProbability,
    });
  }
  needing.sort(byUrgency);
  const kept = needing.slice(0, Math.max(0, cap));
  return {
    counts: { openDeals: deals.length, needingAttention: needing.length, byReason, byStage: [...byStage.values()].sort(byPipelineAndStage), byCloseDate },
    needingAttention: kept,
    needingAttentionLeftOut: needing.length - kept.length,
  };
}

const DAY_MS = 86_400_000;

/** The UTC dates PipelineReviewFacts.counts.byCloseDate covers: the day before `now`'s to seven days after it. */
export function closeDateWindow(now: Date): { from: string; to: string } {
  const day = (offset: number) => new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
  return { from: day(-1), to: day(7) };
}

function byPipelineAndStage(a: StageTotals, b: StageTotals): number {
  const key = (t: StageTotals) => `${t.pipeline ?? ''}\u0000${t.stage ?? ''}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

function byUrgency(a: ReviewedDeal, b: ReviewedDeal): number {
  if (a.reasons.length !== b.reasons.length) return b.reasons.length - a.reasons.length;
  if (a.amount !== b.amount) return a.amount === null ? 1 : b.amount === null ? -1 : b.amount - a.amount;
  return a.dealId.length !== b.dealId.length ? a.dealId.length - b.dealId.length : a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0;
}
