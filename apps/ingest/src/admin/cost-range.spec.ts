import { costRange } from './cost-range';

const now = new Date('2026-11-28T15:00:00Z');

describe('costRange', () => {
  it('defaults to the last 30 UTC days including today', () => {
    expect(costRange(undefined, undefined, now)).toEqual({ from: new Date('2026-10-30T00:00:00Z'), to: new Date('2026-11-29T00:00:00Z') });
  });

  it('takes both ends inclusive', () => {
    expect(costRange('2026-11-01', '2026-11-02', now)).toEqual({ from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z') });
  });

  it('names what is wrong', () => {
    expect(costRange('yesterday', undefined, now)).toBe('from must be a date like 2026-11-28');
    expect(costRange('2026-11-05', '2026-11-01', now)).toBe('from must not be after to');
    expect(costRange('2024-01-01', '2026-11-01', now)).toBe('a cost query covers at most 366 days');
  });
});
