import { isDeepStrictEqual } from 'node:util';
import type { FieldDifference } from '@app/common';

/** The fields of two answers that differ, in the order the original named them, then the new ones. */
export function answerDifferences(before: Record<string, unknown>, after: Record<string, unknown>): FieldDifference[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields.filter((field) => !isDeepStrictEqual(before[field], after[field])).map((field) => ({ field, before: before[field], after: after[field] }));
}
