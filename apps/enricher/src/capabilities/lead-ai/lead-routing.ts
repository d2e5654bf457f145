import type { LeadRoutingSettings } from '@app/common';
import type { LeadAssessment } from './lead-assessment.answer';

const DEFAULT_FOLLOW_UP_HOURS = 24;

/** Who follows up this lead under the portal's rules: the first matching rule, else the default owner. Pure. */
export function chooseLeadOwner(assessment: Pick<LeadAssessment, 'score' | 'persona'>, routing: LeadRoutingSettings = {}): string | undefined {
  const rule = (routing.rules ?? []).find((r) => assessment.score >= (r.minScore ?? 0) && (r.persona === undefined || r.persona === assessment.persona));
  return rule?.ownerId ?? routing.defaultOwnerId;
}

/** When the follow-up is due: the portal's SLA after the decision. */
export function followUpDueAt(decidedAt: Date, routing: LeadRoutingSettings = {}): string {
  const hours = routing.followUpHours ?? DEFAULT_FOLLOW_UP_HOURS;
  return new Date(decidedAt.getTime() + hours * 3_600_000).toISOString();
}
