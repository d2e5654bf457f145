/**
 * Wall-clock time in IANA time zones with the runtime's Intl only (no tz library):
 * the offset of a zone at an instant, the local date at an instant, and the instant
 * of a local HH:MM on a local date, across daylight-saving changes. Pure: the
 * instant is always passed in.
 */

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // h23: some ICU versions print midnight as "24" with hour12: false.
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Whether this runtime knows the zone (HubSpot may name one an older ICU lacks).
 * Links such as "US/Eastern" count; an empty string or an offset-like "+01:00" does not.
 */
export function isKnownTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || /^[+-]/.test(timeZone)) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's wall-clock time at `at`, read as if it were UTC (milliseconds; seconds kept, milliseconds dropped). */
function wallClockAsUtc(at: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(at))) parts[part.type] = part.value;
  const wall = new Date(0);
  wall.setUTCFullYear(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return wall.getTime();
}

/** The zone's offset from UTC at `at`, in milliseconds (Berlin in summer: +7 200 000). */
export function zoneOffsetMs(at: Date | number, timeZone: string): number {
  const t = typeof at === 'number' ? at : at.getTime();
  const whole = t - (((t % 1000) + 1000) % 1000);
  return wallClockAsUtc(whole, timeZone) - whole;
}

/** The calendar date (YYYY-MM-DD) in the zone at `at`. */
export function localDate(at: Date, timeZone: string): string {
  return new Date(at.getTime() + zoneOffsetMs(at, timeZone)).toISOString().slice(0, 10);
}

/** The date `days` after (or before) a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** "HH:MM" (00:00–23:59), the form SCHEDULER_DAILY_AT and settings.review.dailyAt take. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * The instant the zone's clocks show `time` (HH:MM) on `date` (YYYY-MM-DD).
 * A time the clocks skip (spring forward: 02:30 in Berlin on the last Sunday of
 * March) gives the first instant after the gap (03:00 CEST); a time they show
 * twice (fall back) gives the first occurrence. Assumes at most one offset change
 * within a day of the time asked, which holds for every zone in the tz database.
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !TIME_OF_DAY.test(time)) throw new RangeError(`not a local date and time: ${date} ${time}`);
  const wall = Date.parse(`${date}T${time}:00Z`);
  const offsetBefore = zoneOffsetMs(wall - DAY_MS, timeZone);
  const offsetAfter = zoneOffsetMs(wall + DAY_MS, timeZone);
  const candidates = [...new Set([wall - offsetBefore, wall - offsetAfter])].filter((t) => t + zoneOffsetMs(t, timeZone) === wall).sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]!);
  // In a gap: the offset grew from offsetBefore to offsetAfter somewhere in
  // (wall - offsetAfter, wall - offsetBefore]; find where, to the minute's second.
  let low = wall - offsetAfter; // offset here is still offsetBefore
  let high = wall - offsetBefore; // offset here is already offsetAfter
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (middle <= low) break;
    if (zoneOffsetMs(middle, timeZone) === offsetBefore) low = middle;
    else high = middle;
  }
  return new Date(high);
}
