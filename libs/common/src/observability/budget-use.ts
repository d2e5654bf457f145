import { hubSpotLimitsFor, type PortalHubSpotPlan } from '../hubspot/budget/api-limits';
import { effectiveShape, utcDay, type BudgetState } from '../hubspot/budget/token-bucket';
import type { BudgetUse } from './platform-metrics';

/**
 * A portal's HubSpot calls today (UTC) against the platform's daily share: the plan's
 * daily limit (or the one HubSpot's headers last reported) after headroom, as the
 * budget itself computes it. A count from an earlier day is 0 today. Pure.
 */
export function budgetUseOf(portalId: number, state: BudgetState, plan: PortalHubSpotPlan, defaultHeadroom: number, nowMs: number): BudgetUse {
  const shape = effectiveShape(hubSpotLimitsFor(plan), plan.headroom ?? defaultHeadroom, state);
  return { portalId, used: state.day === utcDay(nowMs) ? state.dayCount : 0, allowed: shape.daily };
}
