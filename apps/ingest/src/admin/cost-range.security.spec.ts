import { costRange } from './cost-range';

/** Issue 14 item 6: impossible calendar dates are refused, never rolled over to the next month. */
describe('cost range dates (security)', () => {
  const now = new Date('2026-06-15T12:00:00Z');

  it.each(['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-06-00', '2026-06-32'])('refuses %s', (day) => {
    expect(costRange(day, '2026-06-10', now)).toEqual(expect.stringContaining('from must be a date'));
    expect(costRange('2026-01-01', day, now)).toEqual(expect.stringContaining('to must be a date'));
  });

  it('takes real dates, 29 February of a leap year included', () => {
    expect(costRange('2024-02-29', '2024-03-01', now)).toEqual({ from: new Date('2024-02-29T00:00:00Z'), to: new Date('2024-03-02T00:00:00Z') });
  });
});
