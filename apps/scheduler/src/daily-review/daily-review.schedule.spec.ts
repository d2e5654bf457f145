import { dueReviewDate } from './daily-review.schedule';

describe('dueReviewDate', () => {
  it('is null before the daily time and the UTC date from then on', () => {
    expect(dueReviewDate(new Date('2026-11-28T07:59:59Z'), '08:00')).toBeNull();
    expect(dueReviewDate(new Date('2026-11-28T08:00:00Z'), '08:00')).toBe('2026-11-28');
    expect(dueReviewDate(new Date('2026-11-28T23:59:00Z'), '08:00')).toBe('2026-11-28');
    expect(dueReviewDate(new Date('2026-11-29T00:00:00Z'), '00:00')).toBe('2026-11-29');
  });
});
