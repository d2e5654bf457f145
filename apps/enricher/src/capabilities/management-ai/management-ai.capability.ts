import { DEAL_REASSESS_PROPERTIES, DEFAULT_REENGAGE_WITHIN_HOURS, isEventOfType, MANAGEMENT_AI_REQUIREMENTS, MANAGEMENT_AI_SETTINGS } from '@app/common';
import type { Capability } from '../capability';
import { dealFacts } from './deal-facts';
import { DEAL_HEALTH, type DealHealth } from './deal-health.answer';
import { DEAL_HEALTH_V1 } from './deal-health.prompt';
import { attentionFact, dealOfflineAnswer, findingsOf } from './deal-offline-rules';
import { isStalled, planDealWritebacks } from './deal-writebacks';
import { reviewThresholds } from './review-thresholds';

/** The daily review's request for one deal (PipelineReview). */
const REVIEW = 'DealReviewRequested';
/** Triggers whose stalled deals get a re-engagement task and a summary note: the review's, and a workflow that asks for a review. */
const ACTS_ON_STALLED: readonly string[] = [REVIEW, 'WorkflowWebhookReceived'];
const HOUR_MS = 3_600_000;

/**
 * Management AI (pattern 3), one deal at a time: the daily pipeline review
 * (PipelineReview) asks for an assessment of each open deal whose facts changed
 * since its last one; a change to a deal's stage, amount, close date or owner, and
 * a workflow's "send a webhook" on a deal, ask for one between reviews. The answer
 * becomes the deal's ai_* properties; a stalled deal found by the review (or sent by
 * a workflow) also gets a re-engagement task for its owner and a summary note, on
 * its primary contact and company too. The digests are the review's (digest/).
 */
export const MANAGEMENT_AI: Capability<DealHealth> = {
  name: 'management-ai',
  objectType: 'deals',
  requirements: MANAGEMENT_AI_REQUIREMENTS,
  triggers: {
    webhooks: [],
    change: (changed) =>
      changed.some((p) => (DEAL_REASSESS_PROPERTIES as readonly string[]).includes(p))
        ? undefined
        : `only a change to ${DEAL_REASSESS_PROPERTIES.join(', ')} re-assesses a deal (changed: ${changed.join(', ')})`,
    workflows: true,
    reviews: true,
  },
  promptId: DEAL_HEALTH_V1.id,
  prompts: [DEAL_HEALTH_V1],
  answer: DEAL_HEALTH,
  offlineRules: dealOfflineAnswer,
  settings: MANAGEMENT_AI_SETTINGS,
  associates: (triggerType) => (ACTS_ON_STALLED.includes(triggerType) ? ['primaryContact', 'primaryCompany'] : []),
  /**
   * Why the rules flag the deal (`derived.attention`): the review's own reasons for
   * request (they include a stage the pipelines no longer have), else (a change, a
   * workflow on the deal or its company) the same rules at the trigger's time. Reasons, never day counts: they change when the deal
   * crosses a threshold, not every day, so an unchanged deal's prompt stays the same.
   */
  derive: ({ trigger, record, portal }) => {
    if (isEventOfType(trigger, 'DealReviewRequested') && !trigger.data.via) return { attention: attentionFact(trigger.data.reasons) };
    const facts = dealFacts({ id: '', properties: record }, new Date(trigger.occurredAt), reviewThresholds(portal.settings).thresholds);
    return { attention: attentionFact(facts.attention) };
  },
  restore: (health, restore) => ({ ...health, nextStep: restore(health.nextStep), summary: restore(health.summary) }),
  planWritebacks: ({ decisionId, triggerType, trigger, objectId, answer, portal, decidedAt, associated, facts }) => {
    const findings = findingsOf(facts);
    if (!ACTS_ON_STALLED.includes(triggerType) || !isStalled(answer, findings)) return planDealWritebacks(decisionId, objectId, answer);
    const from = trigger && isEventOfType(trigger, 'DealReviewRequested') ? new Date(trigger.data.review.asOf) : decidedAt;
    const hours = portal.settings.managementAi?.reengageWithinHours ?? DEFAULT_REENGAGE_WITHIN_HOURS;
    const owner = facts.hubspot_owner_id?.trim();
    return planDealWritebacks(decisionId, objectId, answer, {
      decidedAt: decidedAt.toISOString(),
      dueAt: new Date(from.getTime() + hours * HOUR_MS).toISOString(),
      ...(owner ? { ownerId: owner } : {}),
      findings,
      ...(associated.primaryContact ? { primaryContactId: associated.primaryContact } : {}),
      ...(associated.primaryCompany ? { primaryCompanyId: associated.primaryCompany } : {}),
    });
  },
};
