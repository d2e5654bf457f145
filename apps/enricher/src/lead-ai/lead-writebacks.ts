import { deterministicId, type WritebackCommand } from '@app/common';
import type { LeadAssessment } from './lead-assessment.dto';

/** The HubSpot contact properties Lead AI writes. */
export const LEAD_PROPERTIES = {
  score: 'ai_lead_score',
  persona: 'ai_persona',
  summary: 'ai_summary',
  painPoints: 'ai_pain_points',
  recommendedAction: 'ai_recommended_action',
} as const;

/** Which writebacks a lead assessment implies. Pure; the command id is deterministic. */
export function planLeadWritebacks(decisionId: string, contactId: string, assessment: LeadAssessment): WritebackCommand[] {
  const properties: Record<string, string> = {
    [LEAD_PROPERTIES.score]: String(assessment.score),
    [LEAD_PROPERTIES.persona]: assessment.persona,
    [LEAD_PROPERTIES.summary]: assessment.summary,
  };
  return [
    {
      commandId: deterministicId('writeback', decisionId, 'contacts', contactId, 'update-properties'),
      kind: 'update-properties',
      objectType: 'contacts',
      objectId: contactId,
      properties,
      decisionId,
    },
  ];
}
