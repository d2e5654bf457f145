import { addDays, isKnownTimeZone, localDate, TIME_OF_DAY, zonedInstant, type Portal } from '@app/common';

/** When one portal's daily review runs: local `dailyAt` in `timeZone`. */
export interface ReviewTime {
  dailyAt: string;
  /** A zone the runtime knows (UTC when the portal's is unknown or absent). */
  timeZone: string;
  /** The zone the portal named that the runtime does not know; UTC is used instead. */
  unknownTimeZone?: string;
}

/**
 * The portal's review time: settings.review.dailyAt, else SCHEDULER_DAILY_AT; in
 * settings.review.timeZone, else the zone HubSpot reported at onboarding, else UTC.
 * A zone this runtime does not know (HubSpot may name one an older ICU lacks, or an
 * upgrade may drop one) becomes UTC, reported as `unknownTimeZone`: never a crash.
 */
export function reviewTimeFor(portal: Pick<Portal, 'settings' | 'account'>, defaultDailyAt: string): ReviewTime {
  const review = portal.settings.review;
  const dailyAt = typeof review?.dailyAt === 'string' && TIME_OF_DAY.test(review.dailyAt) ? review.dailyAt : defaultDailyAt;
  const named = (typeof review?.timeZone === 'string' && review.timeZone) || portal.account.timeZone || undefined;
  if (named === undefined) return { dailyAt, timeZone: 'UTC' };
  return isKnownTimeZone(named) ? { dailyAt, timeZone: named } : { dailyAt, timeZone: 'UTC', unknownTimeZone: named };
}

/**
 * The portal's local date whose review is due at `now`, with the instant it fell
 * due: the LATEST local day whose `dailyAt` has passed, so a scheduler that was down
 * for days schedules one review when it comes back, not one per missed day. Null
 * for a local day before the one the portal was registered on (nothing before it);
 * the registration day itself counts, so a portal onboarded after its review time
 * gets that day's review at once rather than waiting a day.
 * Pure: the clock is `now`.
 */
export function dueReview(now: Date, time: Pick<ReviewTime, 'dailyAt' | 'timeZone'>, registeredAt: Date): { date: string; dueAt: Date } | null {
  const today = localDate(now, time.timeZone);
  const dueToday = zonedInstant(today, time.dailyAt, time.timeZone);
  const date = dueToday.getTime() <= now.getTime() ? today : addDays(today, -1);
  const dueAt = date === today ? dueToday : zonedInstant(date, time.dailyAt, time.timeZone);
  return date < localDate(registeredAt, time.timeZone) ? null : { date, dueAt };
}
