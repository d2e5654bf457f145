import { dueReview, reviewTimeFor } from './daily-review.schedule';

const LONG_AGO = new Date('2020-01-01T00:00:00Z');
const due = (now: string, dailyAt: string, timeZone: string, registeredAt = LONG_AGO) => {
  const answer = dueReview(new Date(now), { dailyAt, timeZone }, registeredAt);
  return answer && { date: answer.date, dueAt: answer.dueAt.toISOString() };
};

describe('dueReview: the latest local day whose review time has passed', () => {
  it('UTC: the day before until the time, that day from then on', () => {
    expect(due('2026-11-28T07:59:59Z', '08:00', 'UTC')).toEqual({ date: '2026-11-27', dueAt: '2026-11-27T08:00:00.000Z' });
    expect(due('2026-11-28T08:00:00Z', '08:00', 'UTC')).toEqual({ date: '2026-11-28', dueAt: '2026-11-28T08:00:00.000Z' });
    expect(due('2026-11-28T23:59:00Z', '08:00', 'UTC')).toEqual({ date: '2026-11-28', dueAt: '2026-11-28T08:00:00.000Z' });
    expect(due('2026-11-29T00:00:00Z', '00:00', 'UTC')).toEqual({ date: '2026-11-29', dueAt: '2026-11-29T00:00:00.000Z' });
  });

  it('the date is the portal\'s local date, not UTC\'s', () => {
    // 08:00 in Kolkata is 02:30 UTC; at 20:00 UTC on the 27th it is already the 28th there (01:30), before 08:00.
    expect(due('2026-11-27T20:00:00Z', '08:00', 'Asia/Kolkata')).toEqual({ date: '2026-11-27', dueAt: '2026-11-27T02:30:00.000Z' });
    expect(due('2026-11-28T02:30:00Z', '08:00', 'Asia/Kolkata')).toEqual({ date: '2026-11-28', dueAt: '2026-11-28T02:30:00.000Z' });
    // 08:00 in New York is 13:00 UTC in winter; at 03:00 UTC on the 29th it is still the 28th there.
    expect(due('2026-11-29T03:00:00Z', '08:00', 'US/Eastern')).toEqual({ date: '2026-11-28', dueAt: '2026-11-28T13:00:00.000Z' });
    expect(due('2026-11-27T19:00:00Z', '08:00', 'Pacific/Chatham')).toEqual({ date: '2026-11-28', dueAt: '2026-11-27T18:15:00.000Z' });
  });

  it('across DST days: the review keeps its local time', () => {
    expect(due('2026-03-29T06:00:00Z', '08:00', 'Europe/Berlin')).toEqual({ date: '2026-03-29', dueAt: '2026-03-29T06:00:00.000Z' });
    expect(due('2026-03-29T05:59:59Z', '08:00', 'Europe/Berlin')?.date).toBe('2026-03-28');
    expect(due('2026-10-25T07:00:00Z', '08:00', 'Europe/Berlin')).toEqual({ date: '2026-10-25', dueAt: '2026-10-25T07:00:00.000Z' });
    expect(due('2026-10-25T06:59:59Z', '08:00', 'Europe/Berlin')?.date).toBe('2026-10-24');
    // A review at 02:30 on the spring-forward day runs at 03:00 CEST; at 01:30 on the US fall-back day, once, at the first.
    expect(due('2026-03-29T01:00:00Z', '02:30', 'Europe/Berlin')).toEqual({ date: '2026-03-29', dueAt: '2026-03-29T01:00:00.000Z' });
    expect(due('2026-11-01T05:30:00Z', '01:30', 'US/Eastern')).toEqual({ date: '2026-11-01', dueAt: '2026-11-01T05:30:00.000Z' });
    expect(due('2026-11-01T06:30:00Z', '01:30', 'US/Eastern')).toEqual({ date: '2026-11-01', dueAt: '2026-11-01T05:30:00.000Z' });
  });

  it('a scheduler back after three days gets one date, the latest', () => {
    expect(due('2026-11-30T09:00:00Z', '08:00', 'UTC')).toEqual({ date: '2026-11-30', dueAt: '2026-11-30T08:00:00.000Z' });
    expect(due('2026-11-30T07:00:00Z', '08:00', 'UTC')).toEqual({ date: '2026-11-29', dueAt: '2026-11-29T08:00:00.000Z' });
  });

  it('no local day before the one the portal was registered on; that day counts', () => {
    expect(due('2026-11-28T07:45:00Z', '08:00', 'UTC', new Date('2026-11-28T07:30:00Z'))).toBeNull();
    expect(due('2026-11-28T08:00:00Z', '08:00', 'UTC', new Date('2026-11-28T07:30:00Z'))?.date).toBe('2026-11-28');
    expect(due('2026-11-28T09:00:00Z', '08:00', 'UTC', new Date('2026-11-28T09:00:00Z'))).toEqual({ date: '2026-11-28', dueAt: '2026-11-28T08:00:00.000Z' });
    // Registered at 20:00 UTC on the 27th = 01:30 on the 28th in Kolkata: the 27th never, the 28th at 08:00 there.
    expect(due('2026-11-27T21:00:00Z', '08:00', 'Asia/Kolkata', new Date('2026-11-27T20:00:00Z'))).toBeNull();
  });
});

describe('reviewTimeFor: settings, then HubSpot\'s account, then the defaults', () => {
  it('defaults to SCHEDULER_DAILY_AT in the account\'s zone, UTC without one', () => {
    expect(reviewTimeFor({ settings: {}, account: { timeZone: 'US/Eastern' } }, '08:00')).toEqual({ dailyAt: '08:00', timeZone: 'US/Eastern' });
    expect(reviewTimeFor({ settings: {}, account: {} }, '08:00')).toEqual({ dailyAt: '08:00', timeZone: 'UTC' });
    expect(reviewTimeFor({ settings: {}, account: { timeZone: null } }, '07:15')).toEqual({ dailyAt: '07:15', timeZone: 'UTC' });
  });

  it('settings.review overrides each part', () => {
    expect(reviewTimeFor({ settings: { review: { dailyAt: '06:30' } }, account: { timeZone: 'Europe/Berlin' } }, '08:00')).toEqual({ dailyAt: '06:30', timeZone: 'Europe/Berlin' });
    expect(reviewTimeFor({ settings: { review: { timeZone: 'Asia/Kolkata' } }, account: { timeZone: 'Europe/Berlin' } }, '08:00')).toEqual({ dailyAt: '08:00', timeZone: 'Asia/Kolkata' });
  });

  it('a zone the runtime does not know becomes UTC and says which it was', () => {
    expect(reviewTimeFor({ settings: {}, account: { timeZone: 'Mars/Olympus_Mons' } }, '08:00')).toEqual({ dailyAt: '08:00', timeZone: 'UTC', unknownTimeZone: 'Mars/Olympus_Mons' });
    expect(due('2026-11-28T08:00:00Z', '08:00', reviewTimeFor({ settings: {}, account: { timeZone: 'Mars/Olympus_Mons' } }, '08:00').timeZone)?.date).toBe('2026-11-28');
  });
});
