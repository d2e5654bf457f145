/** The label of the aggregate that holds every value outside the top N. */
export const OTHER_LABEL = 'other';

export interface LabelledValue {
  label: string;
  value: number;
}

/** The `n` largest positive values under their own label, ties broken by label (a scrape is stable), and the rest. Pure. */
function split(values: Iterable<readonly [string, number]>, n: number): { top: LabelledValue[]; rest: LabelledValue[] } {
  const positive = [...values].filter(([, value]) => value > 0).map(([label, value]) => ({ label, value }));
  positive.sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const keep = Math.max(0, n);
  return { top: positive.slice(0, keep), rest: positive.slice(keep) };
}

/**
 * Keeps a label's cardinality bounded: the `n` largest values under their own label,
 * everything else added up under "other" (present only when something was folded).
 * Zeros are left out. Pure.
 */
export function topWithOther(values: Iterable<readonly [string, number]>, n: number): LabelledValue[] {
  const { top, rest } = split(values, n);
  if (rest.length > 0) top.push({ label: OTHER_LABEL, value: rest.reduce((sum, entry) => sum + entry.value, 0) });
  return top;
}

/** The `n` largest values only: for ratios, which do not add up (an alert looks at the largest). Pure. */
export function topN(values: Iterable<readonly [string, number]>, n: number): LabelledValue[] {
  return split(values, n).top;
}
