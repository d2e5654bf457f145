import { isEventOfType, type BackfillCounts, type BackfillRow, type BackfillStatus, type EventEnvelope, type PlatformEvent } from '@app/common';

/** A backfill as the admin API shows it: what was asked, how far the listing got, what its records came to. */
export interface BackfillReport {
  backfillId: string;
  portalId: number;
  status: BackfillStatus;
  /** Why it failed (status failed): what the operator must fix before resuming. */
  reason?: string;
  missingScopes?: string[];
  request: PlatformEvent<'BackfillRequested'>['data'] & { requestedAt: string };
  listing: {
    /** Records found by the search so far. */
    listed: number;
    /** Of those, queued for a decision. */
    queued: number;
    /** How many the listing expects in all (HubSpot's total, capped by the limit); null before the first page. */
    expected: number | null;
    /** The last hs_object_id listed. */
    cursor: string | null;
    /** The search has nothing more. */
    done: boolean;
  };
  progress: {
    decided: number;
    /** Of the decided, answers reused from an earlier decision with the same input (no model call, no cost). */
    reused: number;
    /** AI property updates HubSpot took. */
    written: number;
    /** Decisions that failed (or were dead-lettered) plus writebacks HubSpot refused. */
    failed: number;
    failedDecisions: number;
    failedWritebacks: number;
    /** Records not decided: their backfill was cancelled, the portal paused, HubSpot no longer has them. */
    skipped: number;
    /** Queued and not yet decided, failed or skipped. */
    inFlight: number;
  };
  /** Estimated model cost of its decisions so far (Anthropic list prices; reused answers cost nothing). */
  costUsd: number;
  /** Records decided, failed or skipped per minute, over the last minute. */
  decidedPerMinute: number | null;
  /** At that rate, until every expected record is decided; null while it cannot be said (paused, nothing decided yet). */
  estimatedSecondsLeft: number | null;
  updatedAt: string;
  finishedAt: string | null;
}

/** One line of GET /admin/portals/:id/backfills. */
export type BackfillSummary = Pick<BackfillReport, 'backfillId' | 'status' | 'reason' | 'finishedAt'> & {
  capability: string;
  objectType: string;
  listed: number;
  queued: number;
  expected: number | null;
  requestedAt: string;
};

const RECENT_MS = 60_000;

/** The report, from the row, the backfill's stream and the counts of its story. Pure. */
export function presentBackfill(row: BackfillRow, stream: readonly EventEnvelope[], counts: BackfillCounts, now: Date): BackfillReport | undefined {
  const requested = stream.find((e): e is PlatformEvent<'BackfillRequested'> => isEventOfType(e, 'BackfillRequested'));
  if (!requested) return undefined;
  const failed = [...stream].reverse().find((e): e is PlatformEvent<'BackfillFailed'> => isEventOfType(e, 'BackfillFailed'));
  const settled = counts.decided + counts.failedDecisions + counts.skipped;
  const rate = settledPerMs(counts, now);
  return {
    backfillId: row.backfillId,
    portalId: row.portalId,
    status: row.status,
    ...(row.status === 'failed' && row.reason ? { reason: row.reason } : {}),
    ...(row.status === 'failed' && failed?.data.missingScopes ? { missingScopes: failed.data.missingScopes } : {}),
    request: { ...requested.data, requestedAt: requested.recordedAt },
    listing: { listed: row.listed, queued: row.queued, expected: row.expected, cursor: row.cursor, done: row.exhausted || (row.limit !== null && row.listed >= row.limit) },
    progress: {
      decided: counts.decided,
      reused: counts.reused,
      written: counts.written,
      failed: counts.failedDecisions + counts.failedWritebacks,
      failedDecisions: counts.failedDecisions,
      failedWritebacks: counts.failedWritebacks,
      skipped: counts.skipped,
      inFlight: Math.max(0, counts.queued - settled),
    },
    costUsd: counts.costUsd,
    decidedPerMinute: rate === null ? null : Math.round(rate * 60_000 * 10) / 10,
    estimatedSecondsLeft: secondsLeft(row, settled, rate),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export function summarise(row: BackfillRow): BackfillSummary {
  return {
    backfillId: row.backfillId,
    status: row.status,
    ...(row.status === 'failed' && row.reason ? { reason: row.reason } : {}),
    capability: row.capability,
    objectType: row.objectType,
    listed: row.listed,
    queued: row.queued,
    expected: row.expected,
    requestedAt: row.requestedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** Records settled per ms over the last minute (or since the first, when that is sooner). */
function settledPerMs(counts: BackfillCounts, now: Date): number | null {
  if (!counts.firstSettledAt || counts.settledRecently === 0) return null;
  const window = Math.min(RECENT_MS, now.getTime() - counts.firstSettledAt.getTime());
  return window > 0 ? counts.settledRecently / window : null;
}

function secondsLeft(row: BackfillRow, settled: number, ratePerMs: number | null): number | null {
  if (row.status === 'completed' || row.status === 'cancelled') return 0;
  if (row.status !== 'running' || ratePerMs === null || row.expected === null) return null;
  return Math.ceil(Math.max(0, row.expected - settled) / ratePerMs / 1000);
}
