import { capabilityProperty, type WritebackCommand } from '@app/common';
import { alsoAssociated, commandsFor, escapeHtml } from '../../writebacks/writeback-commands';
import type { DealHealth } from './deal-health.answer';

function dealProperty(name: string): string {
  return capabilityProperty('management-ai', 'deals', name).name;
}

/** The deal properties Management AI writes (declared in MANAGEMENT_AI_REQUIREMENTS). */
export const DEAL_PROPERTIES = {
  healthScore: dealProperty('ai_health_score'),
  stallReason: dealProperty('ai_stall_reason'),
  attention: dealProperty('ai_attention_flag'),
  nextStep: dealProperty('ai_next_step'),
  summary: dealProperty('ai_summary'),
} as const;

/** The deal's AI properties (HubSpot takes a checkbox as the strings 'true'/'false'). */
export function dealAiProperties(health: DealHealth): Record<string, string> {
  return {
    [DEAL_PROPERTIES.healthScore]: String(health.healthScore),
    [DEAL_PROPERTIES.stallReason]: health.stallReason,
    [DEAL_PROPERTIES.attention]: health.attention ? 'true' : 'false',
    [DEAL_PROPERTIES.nextStep]: health.nextStep,
    [DEAL_PROPERTIES.summary]: health.summary,
  };
}

/** A deal the review should act on: stalled (by the model's or the rules' judgement), or flagged for today. */
export function isStalled(health: DealHealth, findings: readonly string[]): boolean {
  return health.stallReason !== 'none' || findings.includes('stale');
}

export interface StalledDealPlan {
  decidedAt: string;
  /** The re-engagement task's due instant (the review's time + the portal's reengageWithinHours). */
  dueAt: string;
  /** The deal's owner, who gets the task; absent: the task is unassigned (and the digest says the deal has no owner). */
  ownerId?: string;
  findings: readonly string[];
  primaryContactId?: string;
  primaryCompanyId?: string;
}

/**
 * What an assessment implies: the deal's AI properties always; for a stalled deal
 * found by the review, a re-engagement task for its owner and a summary note, both
 * also on its primary contact and company. Pure; every command id derives from the decision.
 */
export function planDealWritebacks(decisionId: string, dealId: string, health: DealHealth, stalled?: StalledDealPlan): WritebackCommand[] {
  const base = commandsFor(decisionId, 'deals', dealId);
  const commands: WritebackCommand[] = [{ ...base('update-properties'), kind: 'update-properties', properties: dealAiProperties(health) }];
  if (!stalled) return commands;
  const also = alsoAssociated({ objectType: 'contacts', objectId: stalled.primaryContactId }, { objectType: 'companies', objectId: stalled.primaryCompanyId });
  const findings = stalled.findings.length > 0 ? stalled.findings.map((f) => f.replace(/-/g, ' ')).join(', ') : 'none';
  commands.push({
    ...base('create-task'),
    kind: 'create-task',
    ...also,
    // The model may judge a deal the rules call stale to be moving (stallReason none): the subject then names the rules' finding.
    subject: `Re-engage stalled deal (${health.stallReason === 'none' ? findings.replace(/,.*$/, '') : health.stallReason.replace(/_/g, ' ')}, health ${health.healthScore}/100)`,
    body: `${health.nextStep}\n\n${health.summary}`,
    dueAt: stalled.dueAt,
    priority: health.healthScore < 40 ? 'HIGH' : 'MEDIUM',
    taskType: 'TODO',
    ...(stalled.ownerId ? { ownerId: stalled.ownerId } : {}),
  });
  commands.push({
    ...base('create-note'),
    kind: 'create-note',
    ...also,
    body:
      `<p><strong>AI pipeline review — health ${health.healthScore}/100, ${escapeHtml(health.stallReason.replace(/_/g, ' '))}</strong></p>` +
      `<p>${escapeHtml(health.summary)}</p><p><strong>Next step:</strong> ${escapeHtml(health.nextStep)}</p><p>Review findings: ${escapeHtml(findings)}</p>`,
    timestamp: stalled.decidedAt,
  });
  return commands;
}
