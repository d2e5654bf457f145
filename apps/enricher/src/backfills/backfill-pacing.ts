import { CRM_SEARCH_PAGE_MAX, type CallsSample } from '@app/common';

/**
 * How fast a backfill may queue records (docs/decisions/0021). Everything here is
 * pure: limits, measurements and time in, a rate or the next step out.
 *
 * The listing spends the portal's search pool, its records' decisions and writes
 * spend the standard pool; both are shared with live traffic, so the backfill takes
 * at most `share` of each: a search no sooner than 1 / (share × searches per second)
 * after the last, and records at
 *
 *     records per 10 s = share × standard calls per 10 s / HubSpot calls per record
 *
 * where the calls per record are measured from what the backfill's own decisions
 * recorded (the reads in ContextFetched, the writer's calls by distinct call id per
 * writeback applied),
 * 3 until there is enough to measure. Records enter a token bucket holding a
 * quarter second's worth, so they are queued evenly rather than a window's worth at once.
 *
 * One portal's triggers are decided in order (its Kafka key), so every record queued
 * and not yet decided delays the portal's next live webhook. Few are let ahead: at
 * most a quarter second's worth of the rate (never more than the page), and the next
 * page is listed only once most of the last one was decided.
 */

export const DEFAULT_CALLS_PER_RECORD = 3;
/** Records measured before the measurement replaces the default. */
export const MIN_MEASURED_RECORDS = 20;
/** In flight at least this many records, whatever the rate (so a slow portal still moves). */
export const MIN_IN_FLIGHT = 2;
/**
 * How much of the rate may be queued ahead of a live webhook (and queued at once):
 * a quarter second's worth. One second's worth let live p95 reach 3.3–3.7× its
 * baseline when other processes loaded the CPU (bench:backfill, 2 cores).
 */
export const IN_FLIGHT_WINDOW_MS = 250;
/** The next page waits until at most this share of the last one is still undecided. */
export const PAGE_IN_FLIGHT_SHARE = 0.2;

export interface PortalShape {
  /** The platform's standard calls per rolling 10 s for the portal (after headroom, as HubSpot's headers last said). */
  standardPerTenSeconds: number;
  /** The platform's search calls per second for the portal (after headroom). */
  searchPerSecond: number;
}

export interface Pacing {
  callsPerRecord: number;
  recordsPerTenSeconds: number;
  /** Records queued and not yet decided at most. */
  maxInFlight: number;
  /** Between two searches at least. */
  searchIntervalMs: number;
}

/**
 * HubSpot calls one record costs, from the backfill's recent records: its reads, plus
 * the writer's calls per writeback applied (a backfilled record has one writeback, its
 * `ai_` properties); the default until enough were measured.
 */
export function callsPerRecord(sample: CallsSample): number {
  if (sample.records < MIN_MEASURED_RECORDS || sample.writes === 0) return DEFAULT_CALLS_PER_RECORD;
  return Math.min(50, Math.max(1, sample.reads / sample.records + sample.writeCalls / sample.writes));
}

export function pacingFor(shape: PortalShape, share: number, calls: number): Pacing {
  const recordsPerTenSeconds = Math.max(1, Math.floor((share * shape.standardPerTenSeconds) / calls));
  const maxInFlight = Math.min(CRM_SEARCH_PAGE_MAX, Math.max(MIN_IN_FLIGHT, Math.ceil((recordsPerTenSeconds * IN_FLIGHT_WINDOW_MS) / 10_000)));
  const searchesPerSecond = Math.max(share * shape.searchPerSecond, 1 / 60);
  return { callsPerRecord: round2(calls), recordsPerTenSeconds, maxInFlight, searchIntervalMs: Math.ceil(1000 / searchesPerSecond) };
}

/** Records the pace allows: a token bucket refilled at the rate, holding IN_FLIGHT_WINDOW_MS's worth. */
export interface RecordAllowance {
  tokens: number;
  atMs: number;
}

export function refillAllowance(allowance: RecordAllowance, recordsPerTenSeconds: number, nowMs: number): RecordAllowance {
  const perMs = recordsPerTenSeconds / 10_000;
  const capacity = Math.max(1, (recordsPerTenSeconds * IN_FLIGHT_WINDOW_MS) / 10_000);
  const elapsed = Math.max(0, nowMs - allowance.atMs);
  return { tokens: Math.min(capacity, allowance.tokens + elapsed * perMs), atMs: Math.max(nowMs, allowance.atMs) };
}

/** How long until the allowance holds one whole record. */
export function allowanceWaitMs(allowance: RecordAllowance, recordsPerTenSeconds: number): number {
  if (allowance.tokens >= 1) return 0;
  return Math.ceil((1 - allowance.tokens) / (recordsPerTenSeconds / 10_000));
}

export type BackfillStep =
  | { kind: 'queue'; count: number }
  | { kind: 'list'; pageSize: number }
  /** Everything was listed, queued and has come to an end. */
  | { kind: 'complete' }
  | { kind: 'wait'; ms: number; why: string };

export interface StepInput {
  /** Listed, not yet queued. */
  pending: number;
  /** The search has nothing more. */
  exhausted: boolean;
  listed: number;
  limit: number | null;
  inFlight: number;
  /** Records of the last page listed. */
  lastPageSize: number;
  allowance: RecordAllowance;
  pacing: Pacing;
  /** Until the next search is allowed (0: now). */
  searchWaitMs: number;
}

/** What a backfill does next. */
export function nextStep(input: StepInput, tickMs: number): BackfillStep {
  const { pacing } = input;
  if (input.pending > 0) {
    const room = pacing.maxInFlight - input.inFlight;
    if (room <= 0) return { kind: 'wait', ms: tickMs, why: `${input.inFlight} records in flight (at most ${pacing.maxInFlight})` };
    const count = Math.min(input.pending, room, Math.floor(input.allowance.tokens));
    if (count >= 1) return { kind: 'queue', count };
    return { kind: 'wait', ms: Math.max(1, allowanceWaitMs(input.allowance, pacing.recordsPerTenSeconds)), why: `${pacing.recordsPerTenSeconds} records per 10 s` };
  }
  const limitReached = input.limit !== null && input.listed >= input.limit;
  if (input.exhausted || limitReached) {
    return input.inFlight === 0 ? { kind: 'complete' } : { kind: 'wait', ms: tickMs, why: `the last ${input.inFlight} records to be decided` };
  }
  if (input.inFlight > Math.floor(input.lastPageSize * PAGE_IN_FLIGHT_SHARE)) return { kind: 'wait', ms: tickMs, why: 'most of the last page to be decided' };
  if (input.searchWaitMs > 0) return { kind: 'wait', ms: input.searchWaitMs, why: `${pacing.searchIntervalMs} ms between searches` };
  const pageSize = input.limit === null ? CRM_SEARCH_PAGE_MAX : Math.min(CRM_SEARCH_PAGE_MAX, input.limit - input.listed);
  return { kind: 'list', pageSize };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
