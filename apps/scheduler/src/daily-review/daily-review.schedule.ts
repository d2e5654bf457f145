/**
 * The calendar date (UTC) whose daily review is due at `now`, or null before the
 * configured time of day. Pure, so the schedule is testable without a clock.
 */
export function dueReviewDate(now: Date, dailyAt: string): string | null {
  const [hours, minutes] = dailyAt.split(':').map(Number) as [number, number];
  const minutesNow = now.getUTCHours() * 60 + now.getUTCMinutes();
  return minutesNow >= hours * 60 + minutes ? now.toISOString().slice(0, 10) : null;
}
