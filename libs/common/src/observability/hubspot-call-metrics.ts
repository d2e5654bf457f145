import type { HubSpotCallObservation } from '../hubspot/hubspot-api';
import type { PlatformMetrics } from './platform-metrics';

/** HubSpot's rate-limit policies a 429 names; any other is counted as "other". */
const RATE_LIMIT_POLICIES = new Set(['TEN_SECONDLY_ROLLING', 'DAILY', 'SECONDLY']);

/**
 * The status label of a call: its HTTP status, "timeout" when HubSpot did not answer
 * in time, "network" for any other failure to get an answer. Bounded. Pure.
 */
export function hubspotStatusLabel({ result }: Pick<HubSpotCallObservation, 'result'>): string {
  if (result.ok) return String(result.status);
  const code = result.error.code;
  if (typeof code === 'number' && code >= 100 && code <= 599) return String(code);
  return code === 'ETIMEDOUT' ? 'timeout' : 'network';
}

/** The policy a 429's body names (policyName), folded to a known set. Pure. */
export function rateLimitPolicyLabel(body: unknown): string {
  const policy = typeof body === 'object' && body !== null ? (body as { policyName?: unknown }).policyName : undefined;
  return typeof policy === 'string' && RATE_LIMIT_POLICIES.has(policy) ? policy : 'other';
}

/** HubSpotApi's observer: calls by operation and status, their duration, and 429s by policy. */
export function hubspotCallRecorder(metrics: PlatformMetrics): (call: HubSpotCallObservation) => void {
  return (call) => {
    const status = hubspotStatusLabel(call);
    metrics.hubspotCalls.inc({ operation: call.operation, status });
    metrics.hubspotLatency.observe({ operation: call.operation }, call.durationMs / 1000);
    if (status === '429' && !call.result.ok) metrics.hubspotRateLimited.inc({ policy: rateLimitPolicyLabel(call.result.error.body) });
  };
}
