import { createHash } from 'node:crypto';
import { dealFacts, type DealRecord, type PipelineStages } from './deal-facts';
import { DEAL_CONTEXT_FIELDS } from './deal-health.prompt';
import type { ReviewThresholds } from './review-thresholds';

/** A deal the review asks Management AI to assess, and the hash it is remembered by once assessed. */
export interface AssessmentRequest {
  dealId: string;
  reasons: string[];
  inputHash: string;
}

export interface AssessmentPlan {
  requests: AssessmentRequest[];
  /** Deals that needed (or had) an assessment but whose facts did not change since it: no read, no model call. */
  unchanged: number;
}

export interface AssessmentPlanInput {
  deals: readonly DealRecord[];
  now: Date;
  thresholds: ReviewThresholds;
  pipelines?: PipelineStages;
  /** The prompt version the portal assesses with and who answers it (`deal-health@1 anthropic/claude-haiku-5-5`): a new version or model re-assesses every deal once. */
  prompt: string;
  /** What each deal was last assessed from (deal id → input hash). */
  previous: ReadonlyMap<string, string>;
}

/**
 * The hash of what an assessment of this deal would see from the review: the
 * properties the prompt reads, as listed (dates, never day counts), the review's
 * reasons, the prompt version and who answers it. Equal hashes mean nothing the
 * assessment rests on changed, its company and notes aside: a rep's new note alone
 * does not re-assess a deal (docs/decisions/0023), a logged call, email or meeting
 * does (notes_last_contacted). The
 * platform's own writes (ai_* properties, hs_lastmodifieddate, notes_last_updated)
 * are not in it, so an assessment's writeback does not cause the next one. Pure.
 */
export function reviewInputHash(deal: DealRecord, reasons: readonly string[], prompt: string): string {
  const properties = DEAL_CONTEXT_FIELDS.map((name) => [name, deal.properties[name]?.trim() || null]);
  return createHash('sha256').update(JSON.stringify([prompt, properties, [...reasons]])).digest('hex');
}

/**
 * Which deals the review asks to assess: every deal that needs attention, and every
 * deal assessed before (so a deal that recovered has its flag cleared), when its hash
 * differs from the one it was last assessed from. The rest is counted as unchanged.
 * In listing order. Pure.
 */
export function planAssessments({ deals, now, thresholds, pipelines, prompt, previous }: AssessmentPlanInput): AssessmentPlan {
  const requests: AssessmentRequest[] = [];
  let unchanged = 0;
  for (const deal of deals) {
    const reasons = dealFacts(deal, now, thresholds, pipelines).attention;
    const before = previous.get(deal.id);
    if (reasons.length === 0 && before === undefined) continue;
    const inputHash = reviewInputHash(deal, reasons, prompt);
    if (inputHash === before) unchanged += 1;
    else requests.push({ dealId: deal.id, reasons: [...reasons], inputHash });
  }
  return { requests, unchanged };
}
