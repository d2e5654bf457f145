import { OTHER_LABEL, topN, topWithOther } from './top-n';

describe('top-N labels', () => {
  const depths = (count: number): Array<[string, number]> => Array.from({ length: count }, (_, i) => [String(1000 + i), i + 1]);

  it('keeps the N largest under their own label and folds the rest into "other", whatever the number of portals', () => {
    for (const count of [0, 3, 10, 11, 500]) {
      const series = topWithOther(depths(count), 10);
      expect(series.length).toBeLessThanOrEqual(11);
      expect(series.reduce((sum, s) => sum + s.value, 0)).toBe((count * (count + 1)) / 2);
      expect(series.some((s) => s.label === OTHER_LABEL)).toBe(count > 10);
    }
    expect(topWithOther(depths(12), 2)).toEqual([
      { label: '1011', value: 12 },
      { label: '1010', value: 11 },
      { label: OTHER_LABEL, value: 55 },
    ]);
  });

  it('leaves zeros out and breaks ties by label, so two scrapes of the same state agree', () => {
    expect(topWithOther([['b', 2], ['a', 2], ['c', 0]], 5)).toEqual([
      { label: 'a', value: 2 },
      { label: 'b', value: 2 },
    ]);
  });

  it('topN drops the rest instead of adding it up (ratios)', () => {
    expect(topN([['1', 0.2], ['2', 0.9], ['3', 0.5]], 2)).toEqual([
      { label: '2', value: 0.9 },
      { label: '3', value: 0.5 },
    ]);
    expect(topN(depths(50), 10)).toHaveLength(10);
  });
});
