import { addDays, isKnownTimeZone, localDate, zonedInstant, zoneOffsetMs } from './local-time';

const at = (iso: string): string => new Date(iso).toISOString();
const instant = (date: string, time: string, zone: string): string => zonedInstant(date, time, zone).toISOString();
const HOUR = 3_600_000;

describe('zonedInstant: local HH:MM on a local date', () => {
  it('Europe/Berlin: winter and summer offsets, the day of each change', () => {
    expect(instant('2026-03-28', '08:00', 'Europe/Berlin')).toBe(at('2026-03-28T07:00:00Z'));
    expect(instant('2026-03-29', '08:00', 'Europe/Berlin')).toBe(at('2026-03-29T06:00:00Z'));
    expect(instant('2026-10-25', '08:00', 'Europe/Berlin')).toBe(at('2026-10-25T07:00:00Z'));
    expect(instant('2026-10-24', '08:00', 'Europe/Berlin')).toBe(at('2026-10-24T06:00:00Z'));
  });

  it('Europe/Berlin spring forward: a skipped 02:30 runs at the first instant after the gap (03:00 CEST)', () => {
    expect(instant('2026-03-29', '02:30', 'Europe/Berlin')).toBe(at('2026-03-29T01:00:00Z'));
    expect(instant('2026-03-29', '02:00', 'Europe/Berlin')).toBe(at('2026-03-29T01:00:00Z'));
    expect(instant('2026-03-29', '03:00', 'Europe/Berlin')).toBe(at('2026-03-29T01:00:00Z'));
    expect(instant('2026-03-29', '01:59', 'Europe/Berlin')).toBe(at('2026-03-29T00:59:00Z'));
  });

  it('Europe/Berlin fall back: 02:30 happens twice and the first (CEST) is the one', () => {
    expect(instant('2026-10-25', '02:30', 'Europe/Berlin')).toBe(at('2026-10-25T00:30:00Z'));
    expect(instant('2026-10-25', '03:00', 'Europe/Berlin')).toBe(at('2026-10-25T02:00:00Z'));
  });

  it('US/Eastern (a link HubSpot uses) both ways', () => {
    expect(instant('2026-03-07', '08:00', 'US/Eastern')).toBe(at('2026-03-07T13:00:00Z'));
    expect(instant('2026-03-08', '08:00', 'US/Eastern')).toBe(at('2026-03-08T12:00:00Z'));
    expect(instant('2026-03-08', '02:30', 'US/Eastern')).toBe(at('2026-03-08T07:00:00Z'));
    expect(instant('2026-11-01', '01:30', 'US/Eastern')).toBe(at('2026-11-01T05:30:00Z'));
    expect(instant('2026-11-01', '08:00', 'US/Eastern')).toBe(at('2026-11-01T13:00:00Z'));
  });

  it('Asia/Kolkata: a half-hour offset, the UTC date is the day before', () => {
    expect(instant('2026-11-28', '08:00', 'Asia/Kolkata')).toBe(at('2026-11-28T02:30:00Z'));
    expect(instant('2026-11-28', '00:00', 'Asia/Kolkata')).toBe(at('2026-11-27T18:30:00Z'));
  });

  it('Pacific/Chatham: +12:45 and +13:45, and its own gap and overlap at a quarter to', () => {
    expect(instant('2026-06-15', '08:00', 'Pacific/Chatham')).toBe(at('2026-06-14T19:15:00Z'));
    expect(instant('2026-11-28', '08:00', 'Pacific/Chatham')).toBe(at('2026-11-27T18:15:00Z'));
    expect(instant('2026-09-27', '03:00', 'Pacific/Chatham')).toBe(at('2026-09-26T14:00:00Z'));
    // 03:45 +13:45 falls back to 02:45 +12:45: 03:00 happens twice, the first counts.
    expect(instant('2026-04-05', '03:00', 'Pacific/Chatham')).toBe(at('2026-04-04T13:15:00Z'));
    expect(instant('2026-04-05', '04:00', 'Pacific/Chatham')).toBe(at('2026-04-04T15:15:00Z'));
  });

  it('UTC and midnight', () => {
    expect(instant('2026-11-28', '00:00', 'UTC')).toBe(at('2026-11-28T00:00:00Z'));
    expect(instant('2026-12-31', '23:59', 'UTC')).toBe(at('2026-12-31T23:59:00Z'));
  });

  it('refuses what is not a date and a time, and a zone the runtime does not know', () => {
    expect(() => zonedInstant('2026-11-28', '24:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedInstant('28.11.2026', '08:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedInstant('2026-11-28', '08:00', 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('localDate and offsets', () => {
  it('changes at local midnight, not UTC midnight', () => {
    expect(localDate(new Date('2026-11-27T18:29:59Z'), 'Asia/Kolkata')).toBe('2026-11-27');
    expect(localDate(new Date('2026-11-27T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-11-28');
    expect(localDate(new Date('2026-11-28T04:59:59Z'), 'US/Eastern')).toBe('2026-11-27');
    expect(localDate(new Date('2026-11-28T05:00:00Z'), 'US/Eastern')).toBe('2026-11-28');
    expect(localDate(new Date('2026-11-27T10:45:00Z'), 'Pacific/Chatham')).toBe('2026-11-28');
    expect(localDate(new Date('2026-12-31T23:59:59Z'), 'UTC')).toBe('2026-12-31');
  });

  it('reads the offset on each side of a change', () => {
    expect(zoneOffsetMs(new Date('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe(1 * HOUR);
    expect(zoneOffsetMs(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(zoneOffsetMs(new Date('2026-06-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('knows the zones HubSpot names, not made-up ones', () => {
    for (const zone of ['US/Eastern', 'Europe/Berlin', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC', 'America/Argentina/Buenos_Aires']) expect(isKnownTimeZone(zone)).toBe(true);
    for (const zone of ['Mars/Olympus_Mons', '', '+01:00', 'Europe/Berlinn']) expect(isKnownTimeZone(zone)).toBe(false);
  });
});
