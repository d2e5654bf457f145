import { capabilityProperty, type WritebackCommand } from '@app/common';
import { alsoAssociated, commandsFor, draftNote } from '../../writebacks/writeback-commands';
import type { LeadAssessment } from './lead-assessment.answer';

const contactProperty = (name: string) => capabilityProperty('lead-ai', 'contacts', name).name;

/** The HubSpot contact properties Lead AI writes (declared, with their types, in LEAD_AI_REQUIREMENTS). */
export const LEAD_PROPERTIES = {
  score: contactProperty('ai_lead_score'),
  persona: contactProperty('ai_persona'),
  summary: contactProperty('ai_summary'),
  painPoints: contactProperty('ai_pain_points'),
  recommendedAction: contactProperty('ai_recommended_action'),
} as const;

export interface LeadFollowUp {
  ownerId?: string;
  dueAt: string;
  decidedAt: string;
}

/** The records besides the contact its draft and follow-up belong with, when it has them. */
export interface LeadRecords {
  /** Its primary company. */
  companyId?: string;
  /** Its newest open deal. */
  openDealId?: string;
}

/**
 * Which writebacks a lead assessment implies: the AI properties on the contact, the
 * email draft as a note on it, and a follow-up task for its owner; the note and the
 * task also go on its primary company and open deal, when it has them. Pure; every
 * command id derives from the decision, so a replayed command is recognised.
 */
export function planLeadWritebacks(decisionId: string, contactId: string, assessment: LeadAssessment, followUp: LeadFollowUp, records: LeadRecords = {}): WritebackCommand[] {
  const base = commandsFor(decisionId, 'contacts', contactId);
  const also = alsoAssociated({ objectType: 'companies', objectId: records.companyId }, { objectType: 'deals', objectId: records.openDealId });
  const commands: WritebackCommand[] = [leadPropertiesUpdate(base, assessment)];
  if (assessment.emailDraft) commands.push(draftNote(base, 'first-touch email', assessment.emailDraft, followUp.decidedAt, also));
  commands.push({
    ...base('create-task'),
    kind: 'create-task',
    ...also,
    subject: `Follow up new lead (AI score ${assessment.score})`,
    body: [assessment.summary, assessment.recommendedAction ? `Next step: ${assessment.recommendedAction}` : ''].filter(Boolean).join('\n'),
    dueAt: followUp.dueAt,
    priority: assessment.score >= 70 ? 'HIGH' : assessment.score >= 40 ? 'MEDIUM' : 'LOW',
    taskType: 'EMAIL',
    ...(followUp.ownerId ? { ownerId: followUp.ownerId } : {}),
  });
  return commands;
}

/**
 * A re-score after the contact changed: only the `ai_` properties move. The first
 * touch (draft and follow-up task) happened when the lead was new; repeating it on
 * every edit would flood the owner with tasks.
 */
export function planLeadRescoreWritebacks(decisionId: string, contactId: string, assessment: LeadAssessment): WritebackCommand[] {
  return [leadPropertiesUpdate(commandsFor(decisionId, 'contacts', contactId), assessment)];
}

function leadPropertiesUpdate(base: ReturnType<typeof commandsFor>, assessment: LeadAssessment): WritebackCommand {
  const properties: Record<string, string> = {
    [LEAD_PROPERTIES.score]: String(assessment.score),
    [LEAD_PROPERTIES.persona]: assessment.persona,
    [LEAD_PROPERTIES.summary]: assessment.summary,
  };
  if (assessment.painPoints?.length) properties[LEAD_PROPERTIES.painPoints] = assessment.painPoints.join('; ');
  if (assessment.recommendedAction) properties[LEAD_PROPERTIES.recommendedAction] = assessment.recommendedAction;
  return { ...base('update-properties'), kind: 'update-properties', properties };
}
