import { LEAD_AI_REQUIREMENTS, LEAD_ROUTING_SETTINGS } from '@app/common';
import type { Capability } from '../capability';
import { LEAD_ASSESSMENT, type LeadAssessment } from './lead-assessment.answer';
import { leadOfflineAnswer } from './lead-offline-rules';
import { LEAD_SCORING_PROMPT, LEAD_SCORING_V1, LEAD_SCORING_V2, LEAD_SCORING_V3, LEAD_SCORING_V4, LEAD_SCORING_V5 } from './lead-scoring.prompt';
import { chooseLeadOwner, followUpDueAt } from './lead-routing';
import { planLeadRescoreWritebacks, planLeadWritebacks } from './lead-writebacks';

/** Triggers about a contact that is not new: only its `ai_` properties are (re)written. */
const RESCORES: ReadonlySet<string> = new Set(['ObjectChanged', 'BackfillRecordListed']);

/**
 * Lead AI (pattern 1): a new contact is scored, given a persona, pain points, a
 * next step and a first-touch email draft; the draft becomes a note and the
 * follow-up a task for the owner the portal's routing rules choose, both on the
 * contact, its primary company and its newest open deal. A change to what the
 * prompt reads re-scores the contact: only its `ai_` properties move (so no
 * company or deal is looked up for it). So does a backfill of an existing contact
 * (docs/decisions/0021): its first touch, if any, happened long ago.
 */
export const LEAD_AI: Capability<LeadAssessment> = {
  name: 'lead-ai',
  objectType: 'contacts',
  requirements: LEAD_AI_REQUIREMENTS,
  // Every change to a contact goes to the flow, which skips it when the portal's prompt version reads none of the changed properties (changeNotRead).
  triggers: { webhooks: ['contact.creation'], change: () => undefined, workflows: true },
  promptId: LEAD_SCORING_PROMPT.id,
  prompts: [LEAD_SCORING_V1, LEAD_SCORING_V2, LEAD_SCORING_V3, LEAD_SCORING_V4, LEAD_SCORING_V5],
  answer: LEAD_ASSESSMENT,
  offlineRules: leadOfflineAnswer,
  settings: LEAD_ROUTING_SETTINGS,
  associates: (triggerType) => (RESCORES.has(triggerType) ? [] : ['primaryCompany', 'openDeal']),
  restore: (assessment, restore) =>
    ({
      ...assessment,
      summary: restore(assessment.summary),
      ...(assessment.painPoints ? { painPoints: assessment.painPoints.map(restore) } : {}),
      ...(assessment.recommendedAction ? { recommendedAction: restore(assessment.recommendedAction) } : {}),
      ...(assessment.emailDraft ? { emailDraft: restore(assessment.emailDraft) } : {}),
    }),
  planWritebacks: ({ decisionId, triggerType, objectId, answer, portal, decidedAt, associated }) => {
    if (RESCORES.has(triggerType)) return planLeadRescoreWritebacks(decisionId, objectId, answer);
    const routing = portal.settings.leadRouting;
    return planLeadWritebacks(
      decisionId,
      objectId,
      answer,
      { ownerId: chooseLeadOwner(answer, routing), dueAt: followUpDueAt(decidedAt, routing), decidedAt: decidedAt.toISOString() },
      { companyId: associated.primaryCompany, openDealId: associated.openDeal },
    );
  },
};
