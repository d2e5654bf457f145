import type { ReviewThresholds } from './review-thresholds';

const DAY_MS = 86_400_000;

/**
 * The deal properties the review reads (HubSpot's internal names). The stage
 * calculated property is `hs_v2_date_entered_current_stage` ("Date entered current
 * stage"; knowledge.hubspot.com/properties/stage-calculated-properties; the internal
 * name is the one HubSpot's property list gives, see ../shared/notes/hubspot-facts-2026.md §9).
 */
export const DEAL_REVIEW_PROPERTIES = [
  'hs_object_id',
  'pipeline',
  'dealstage',
  'amount',
  'closedate',
  'hubspot_owner_id',
  'hs_next_step',
  'hs_deal_stage_probability',
  'notes_last_contacted',
  'dealname',
  'description',
  'deal_currency_code',
  'hs_v2_date_entered_current_stage',
  'createdate',
  'hs_lastmodifieddate',
  'hs_is_closed',
] as const;

/** A deal as the search returned it: its id and the properties asked for (HubSpot sends null or omits an empty one). */
export interface DealRecord {
  id: string;
  properties: Readonly<Record<string, string | null | undefined>>;
}

/** A portal's pipelines as HubSpot's pipelines API describes them: stage id → probability (0–1) per pipeline id. */
export type PipelineStages = ReadonlyMap<string, ReadonlyMap<string, { probability: number | null }>>;

export type MissingField = 'amount' | 'closedate' | 'owner' | 'next_step';

/** Why a deal needs attention, each computed without the model. */
export type AttentionReason =
  | 'stale'
  | 'close-date-passed'
  | 'missing-amount'
  | 'missing-close-date'
  | 'missing-owner'
  | 'missing-next-step'
  /** Its pipeline or stage is not among the portal's pipelines (deleted since): nobody sees it on a board. */
  | 'unknown-stage';

export const ATTENTION_REASONS: readonly AttentionReason[] = ['stale', 'close-date-passed', 'missing-amount', 'missing-close-date', 'missing-owner', 'missing-next-step', 'unknown-stage'];

export interface DealFacts {
  dealId: string;
  pipeline: string | null;
  stage: string | null;
  amount: number | null;
  /**
   * Whole days since the customer was last contacted (notes_last_contacted: a call,
   * email or meeting), else since the deal was created; null: neither is known. Not
   * notes_last_updated ("Last activity date"): every note and task moves it, the
   * platform's own review note and re-engagement task included, which would hide the
   * very stall the review reports the day after it reported it.
   */
  daysSinceLastActivity: number | null;
  /** False: no contact was ever logged on the deal (the days count from its creation). */
  activityLogged: boolean;
  /** Whole days since the deal entered its current stage; null: HubSpot gave no date. */
  daysInStage: number | null;
  /** The close date as an ISO instant (HubSpot gives a date as its midnight UTC); null: none or unreadable. */
  closeDate: string | null;
  closeDatePassed: boolean;
  missing: MissingField[];
  /** 0–1: the stage's probability from the pipelines when read, else the deal's hs_deal_stage_probability. */
  stageProbability: number | null;
  /** True/false when the pipelines were read; null when they were not (a deleted stage cannot be told then). */
  stageKnown: boolean | null;
  attention: AttentionReason[];
}

/**
 * The deterministic facts of one open deal at `now`, with the portal's thresholds
 * and, when read, its pipelines. Pure: no model, no clock, no I/O. Days are whole
 * 24-hour periods between instants (time-zone free, so a review's facts do not
 * depend on where it runs).
 */
export function dealFacts(deal: DealRecord, now: Date, thresholds: ReviewThresholds, pipelines?: PipelineStages): DealFacts {
  const p = deal.properties;
  const pipeline = text(p.pipeline);
  const stage = text(p.dealstage);
  const amount = numberOf(p.amount);
  const closeDate = instantOf(p.closedate);
  const lastActivity = instantOf(p.notes_last_contacted);
  const created = instantOf(p.createdate);
  const enteredStage = instantOf(p.hs_v2_date_entered_current_stage);
  const since = lastActivity ?? created;

  const missing: MissingField[] = [];
  if (amount === null) missing.push('amount');
  if (closeDate === null) missing.push('closedate');
  if (text(p.hubspot_owner_id) === null) missing.push('owner');
  if (text(p.hs_next_step) === null) missing.push('next_step');

  let stageKnown: boolean | null = null;
  let stageProbability = probabilityOf(p.hs_deal_stage_probability);
  if (pipelines) {
    const stageInfo = pipeline !== null && stage !== null ? pipelines.get(pipeline)?.get(stage) : undefined;
    stageKnown = stageInfo !== undefined;
    if (stageInfo) stageProbability = stageInfo.probability ?? stageProbability;
  }

  const daysSinceLastActivity = since === null ? null : wholeDays(now.getTime() - since);
  const closeDatePassed = closeDate !== null && closeDate < now.getTime();
  const attention: AttentionReason[] = [];
  if (daysSinceLastActivity !== null && daysSinceLastActivity >= thresholds.staleAfterDays) attention.push('stale');
  if (closeDatePassed) attention.push('close-date-passed');
  if (missing.includes('amount')) attention.push('missing-amount');
  if (missing.includes('closedate')) attention.push('missing-close-date');
  if (missing.includes('owner')) attention.push('missing-owner');
  if (missing.includes('next_step')) attention.push('missing-next-step');
  if (stageKnown === false) attention.push('unknown-stage');

  return {
    dealId: deal.id,
    pipeline,
    stage,
    amount,
    daysSinceLastActivity,
    activityLogged: lastActivity !== null,
    daysInStage: enteredStage === null ? null : wholeDays(now.getTime() - enteredStage),
    closeDate: closeDate === null ? null : new Date(closeDate).toISOString(),
    closeDatePassed,
    missing,
    stageProbability,
    stageKnown,
    attention,
  };
}

function text(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value.trim();
}

function numberOf(value: string | null | undefined): number | null {
  const t = text(value);
  if (t === null) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

function probabilityOf(value: string | null | undefined): number | null {
  const n = numberOf(value);
  return n !== null && n >= 0 && n <= 1 ? n : null;
}

/** HubSpot sends datetimes as ISO 8601 and dates as midnight UTC; older answers and filters use epoch milliseconds. */
function instantOf(value: string | null | undefined): number | null {
  const t = text(value);
  if (t === null) return null;
  const ms = /^\d+$/.test(t) ? Number(t) : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** Never negative: a date a little in the future (clock skew) is 0 days ago. */
function wholeDays(ms: number): number {
  return Math.max(0, Math.floor(ms / DAY_MS));
}
