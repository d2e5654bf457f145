/**
 * Calendar checks JavaScript's Date skips: `new Date('2026-02-30T00:00:00Z')` is
 * 2 March, silently. An impossible day is refused instead of rolled over. Pure.
 */

/** YYYY-MM-DD naming a day that exists (2024-02-29 does, 2026-02-29 and 2026-04-31 do not). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** An ISO 8601 date-time whose calendar date (its leading YYYY-MM-DD) does not exist. */
export function hasImpossibleCalendarDate(value: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2})(?!\d)/.exec(value);
  return match !== null && !isCalendarDate(match[1]!);
}
