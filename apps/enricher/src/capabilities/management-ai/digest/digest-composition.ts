import {
  DIGEST_AT_RISK_BELOW,
  type DigestAssessment,
  type DigestChanges,
  type DigestDeal,
  type LeadershipDigest,
  type ManagementAiSettings,
  type OwnerDigest,
  type PipelineDigests,
  type PipelineReviewFacts,
  type PipelineStanding,
  type ReviewedDeal,
} from '@app/common';

/** A deal's latest deal-health assessment, as the digest reads it. */
export type AssessedDeal = Extract<DigestAssessment, { kind: 'assessed' }>;

export interface DigestSources {
  portalId: number;
  /** HubSpot's UI host of the portal (`app-eu1.hubspot.com` for EU hosting); null: unknown, `app.hubspot.com`. */
  uiDomain: string | null;
  /** The day's review facts. */
  today: PipelineReviewFacts;
  /** The previous local date and its facts, when that review was recorded. */
  previous: { date: string; facts: PipelineReviewFacts | null };
  /** The latest assessment of each flagged deal that has one, by deal id. */
  assessments: ReadonlyMap<string, AssessedDeal>;
  settings: ManagementAiSettings | undefined;
}

const DAY_MS = 86_400_000;

/** A deal's record page in HubSpot (0-3: deals), on the portal's own UI host. */
export function dealUrl(uiDomain: string | null, portalId: number, dealId: string): string {
  return `https://${uiDomain ?? 'app.hubspot.com'}/contacts/${portalId}/record/0-3/${dealId}`;
}

/** YYYY-MM-DD plus `days` (calendar days, no time zone involved). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The day's digests of a portal's review: one per owner with deals needing attention
 * (their deals, in the review's order, each with its reasons and latest assessment or
 * "pending"), and one for leadership (every open deal by pipeline and stage against
 * the pipeline's target, the deals at risk, those closing this week, what changed
 * since the previous review, and the flagged deals nobody owns). Pure: the same
 * sources give the same digests.
 */
export function composeDigests(sources: DigestSources): PipelineDigests {
  const { today, previous, settings } = sources;
  const deals = today.needingAttention.map((deal) => digestDeal(sources, deal));

  const owners = new Map<string, DigestDeal[]>();
  for (const deal of deals) if (deal.ownerId !== null) owners.set(deal.ownerId, [...(owners.get(deal.ownerId) ?? []), deal]);
  const ownerDigests: OwnerDigest[] = [...owners.entries()]
    .sort(([a], [b]) => byId(a, b))
    .map(([ownerId, own]) => ({ ownerId, deals: own, amount: sumAmounts(own) }));

  const atRisk = deals
    .filter((deal) => deal.assessment.kind === 'assessed' && (deal.assessment.attention || deal.assessment.healthScore < DIGEST_AT_RISK_BELOW))
    .sort((a, b) => healthOf(a) - healthOf(b) || (b.amount ?? -1) - (a.amount ?? -1) || byId(a.dealId, b.dealId));

  const from = today.date;
  const to = addDays(today.date, 6);
  const inWeek = (day: string | undefined) => day !== undefined && day >= from && day <= to;
  const byCloseDate = today.counts.byCloseDate;
  const open = byCloseDate
    ? Object.entries(byCloseDate)
        .filter(([day]) => inWeek(day))
        .reduce((sum, [, d]) => ({ deals: sum.deals + d.deals, amount: sum.amount + d.amount }), { deals: 0, amount: 0 })
    : null;

  const leadership: LeadershipDigest = {
    managerOwnerId: settings?.managerOwnerId ?? null,
    counts: {
      openDeals: today.counts.openDeals,
      needingAttention: today.counts.needingAttention,
      needingAttentionLeftOut: today.needingAttentionLeftOut,
      assessmentsPending: deals.filter((d) => d.assessment.kind === 'pending').length,
    },
    pipelines: pipelineStandings(today, settings),
    atRisk: { deals: atRisk, amount: sumAmounts(atRisk) },
    closingThisWeek: { from, to, open, needingAttention: deals.filter((d) => inWeek(d.closeDate?.slice(0, 10))) },
    changes: changesSince(sources, deals, previous),
    unowned: deals.filter((d) => d.ownerId === null),
  };
  return { owners: ownerDigests, leadership };
}

function digestDeal({ uiDomain, portalId, assessments }: DigestSources, deal: ReviewedDeal): DigestDeal {
  return {
    dealId: deal.dealId,
    ownerId: deal.ownerId,
    amount: deal.amount,
    pipeline: deal.pipeline,
    stage: deal.stage,
    closeDate: deal.closeDate ?? null,
    reasons: deal.reasons,
    url: dealUrl(uiDomain, portalId, deal.dealId),
    assessment: assessments.get(deal.dealId) ?? { kind: 'pending' },
  };
}

/** Each pipeline with open deals or a target: its stages, its amount and how far it is to its target. */
function pipelineStandings(today: PipelineReviewFacts, settings: ManagementAiSettings | undefined): PipelineStanding[] | null {
  const byStage = today.counts.byStage;
  if (!byStage) return null;
  const targets = new Map((settings?.pipelineTargets ?? []).map((t) => [t.pipelineId, t.amount]));
  const pipelines = new Map<string | null, PipelineStanding>();
  const standing = (pipeline: string | null): PipelineStanding => {
    const found = pipelines.get(pipeline);
    if (found) return found;
    const target = pipeline === null ? null : (targets.get(pipeline) ?? null);
    const fresh: PipelineStanding = { pipeline, target, deals: 0, amount: 0, withoutAmount: 0, ofTarget: null, stages: [] };
    pipelines.set(pipeline, fresh);
    return fresh;
  };
  for (const stage of byStage) {
    const p = standing(stage.pipeline);
    p.deals += stage.deals;
    p.amount += stage.amount;
    p.withoutAmount += stage.withoutAmount;
    p.stages.push(stage);
  }
  // A pipeline with a target and no open deal is the emptiest of all: it is shown.
  for (const pipelineId of targets.keys()) standing(pipelineId);
  return [...pipelines.values()]
    .map((p) => ({ ...p, ofTarget: p.target ? p.amount / p.target : null }))
    .sort((a, b) => (a.pipeline === null ? 1 : b.pipeline === null ? -1 : byId(a.pipeline, b.pipeline)));
}

function changesSince(sources: DigestSources, deals: DigestDeal[], previous: DigestSources['previous']): DigestChanges {
  const before = previous.facts;
  if (!before) return { kind: 'no-previous-review', previousDate: previous.date };
  const { today } = sources;
  const was = new Set(before.needingAttention.map((d) => d.dealId));
  const is = new Set(today.needingAttention.map((d) => d.dealId));
  const delta = (b: number, a: number) => ({ before: b, after: a, delta: a - b });
  return {
    kind: 'compared',
    previousDate: previous.date,
    newlyNeedingAttention: deals.filter((d) => !was.has(d.dealId)),
    noLongerNeedingAttention: before.needingAttention
      .filter((d) => !is.has(d.dealId))
      .map((d) => ({ dealId: d.dealId, ownerId: d.ownerId, amount: d.amount, url: dealUrl(sources.uiDomain, sources.portalId, d.dealId) })),
    openDeals: delta(before.counts.openDeals, today.counts.openDeals),
    needingAttention: delta(before.counts.needingAttention, today.counts.needingAttention),
    partial: before.needingAttentionLeftOut > 0 || today.needingAttentionLeftOut > 0,
  };
}

function healthOf(deal: DigestDeal): number {
  return deal.assessment.kind === 'assessed' ? deal.assessment.healthScore : Number.POSITIVE_INFINITY;
}

function sumAmounts(deals: readonly DigestDeal[]): number {
  return deals.reduce((sum, d) => sum + (d.amount ?? 0), 0);
}

/** HubSpot ids are digits: shorter first, then in order (string ids compare the same way). */
function byId(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
