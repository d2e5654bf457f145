import type { CrmStore } from './crm-store';
import type { PropertyRegistry } from './property-registry';
import type { OwnerRegistry } from './owner-registry';
import type { PortalRateLimiter } from './rate-limiter';
import type { PortalAssociationLabels } from './association-labels.registry';
import type { DealPipelines } from './pipeline-registry';
import type { DeterministicRng } from '../shared/deterministic-rng';
import type { BatchResultsMode, FaultSpec, PortalInfo, RateLimitStats } from './hubspot.types';
import type { CrmChange } from './webhook-events.factory';

/** Everything the sandbox keeps for one portal. */
export interface PortalState {
  info: PortalInfo;
  store: CrmStore;
  registry: PropertyRegistry;
  owners: OwnerRegistry;
  limiter: PortalRateLimiter;
  faults: FaultSpec[];
  stats: RateLimitStats;
  /** The portal's USER_DEFINED association labels. */
  labels: PortalAssociationLabels;
  /** How batch create/read/update answer their results. */
  batchResults: BatchResultsMode;
  /** The portal's deal pipelines (the pipelines API, the stage properties' options, what a deal's stage computes). */
  pipelines: DealPipelines;
}

/** One authenticated API call, as the handlers see it. */
export interface ApiContext {
  portal: PortalState;
  now: number;
  method: string;
  query: URLSearchParams;
  body: unknown;
  /** `INTEGRATION` for API calls. */
  changeSource: string;
  /** The app id of the token's app, used as the webhook events' `sourceId`. */
  sourceId: string | undefined;
  /** Scopes of the call's token (a static token's: the portal's); undefined: every scope. */
  scopes: readonly string[] | undefined;
  emit: (change: CrmChange) => void;
  /** The sandbox's seeded RNG (batch result order). */
  rng: DeterministicRng;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
