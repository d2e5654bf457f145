import { isCalendarDate } from './strict-date';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

/**
 * The UTC range [from, to) of a cost query from `from`/`to` dates (YYYY-MM-DD, both
 * inclusive); default the last 30 days up to today. A string says what is wrong. Pure.
 */
export function costRange(from: string | undefined, to: string | undefined, now: Date): { from: Date; to: Date } | string {
  const day = (value: string, name: string): Date | string => {
    // A real calendar day: Date would roll 2026-02-30 over to 2 March.
    if (!isCalendarDate(value)) return `${name} must be a date like 2026-11-28`;
    return new Date(`${value}T00:00:00Z`);
  };
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const end = to === undefined ? today : day(to, 'to');
  if (typeof end === 'string') return end;
  const start = from === undefined ? new Date(end.getTime() - (DEFAULT_DAYS - 1) * DAY_MS) : day(from, 'from');
  if (typeof start === 'string') return start;
  if (start > end) return 'from must not be after to';
  if ((end.getTime() - start.getTime()) / DAY_MS >= MAX_DAYS) return `a cost query covers at most ${MAX_DAYS} days`;
  return { from: start, to: new Date(end.getTime() + DAY_MS) };
}
