import { DEFAULT_STALE_AFTER_DAYS, MAX_STALE_AFTER_DAYS } from '@app/common';

// The bounds live with the portal's settings in libs/common: the admin API checks them too.
export { DEFAULT_STALE_AFTER_DAYS, MAX_STALE_AFTER_DAYS };

/** The portal's thresholds for the daily pipeline review (`settings.review`). */
export interface ReviewThresholds {
  staleAfterDays: number;
}

export type ThresholdsRead = { thresholds: ReviewThresholds; problem?: string };

/**
 * `settings.review.staleAfterDays`, default DEFAULT_STALE_AFTER_DAYS. Settings are
 * stored JSON (the admin API validates `settings.review`, but older rows and direct
 * edits exist), so an unusable value falls back to the default and says so: the
 * review still runs and its event names the problem. Pure.
 */
export function reviewThresholds(settings: unknown): ThresholdsRead {
  const review = isObject(settings) ? settings.review : undefined;
  const raw = isObject(review) ? review.staleAfterDays : undefined;
  if (raw === undefined || raw === null) return { thresholds: { staleAfterDays: DEFAULT_STALE_AFTER_DAYS } };
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= MAX_STALE_AFTER_DAYS) return { thresholds: { staleAfterDays: raw } };
  return {
    thresholds: { staleAfterDays: DEFAULT_STALE_AFTER_DAYS },
    problem: `settings.review.staleAfterDays ${JSON.stringify(raw)} is not a whole number of days from 1 to ${MAX_STALE_AFTER_DAYS}: used ${DEFAULT_STALE_AFTER_DAYS}`,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
