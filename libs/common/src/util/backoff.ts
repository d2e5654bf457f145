/**
 * Exponential backoff with "equal jitter": a delay between half and all of base·2^(attempt-1),
 * capped. `random` is injectable so tests are deterministic.
 */
export function backoffDelayMs(attempt: number, baseMs: number, capMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
