import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles per attempt, jitters within the upper half and respects the cap', () => {
    expect([1, 2, 3].map((a) => backoffDelayMs(a, 100, 30_000, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((a) => backoffDelayMs(a, 100, 30_000, () => 1))).toEqual([100, 200, 400]);
    expect(backoffDelayMs(20, 100, 1_000, () => 1)).toBe(1_000);
  });
});
