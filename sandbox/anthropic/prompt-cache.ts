import type { CacheBreakpoint } from './token-estimator';

export interface CacheUsage {
  cacheReadTokens: number;
  cacheCreationTokens: number;
  /** Part of the creation written with the 1-hour TTL. */
  cacheCreation1hTokens: number;
  uncachedTokens: number;
}

/**
 * Prompt caching as the Messages API reports it: the longest cached prefix is read, the rest up to the last
 * breakpoint is written, and whatever follows the last breakpoint is plain input. Entries live for their TTL
 * (5 minutes, or 1 hour), refreshed on every hit. Prefixes shorter than `minTokens` are not cached.
 */
export class PromptCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** `minTokens`: the model's minimum cacheable prefix. */
  use(totalTokens: number, breakpoints: CacheBreakpoint[], minTokens: number): CacheUsage {
    const now = this.now();
    const usable = breakpoints.filter((b) => b.tokens >= minTokens && b.tokens > 0);
    const last = usable[usable.length - 1];
    if (!last) return { cacheReadTokens: 0, cacheCreationTokens: 0, cacheCreation1hTokens: 0, uncachedTokens: totalTokens };
    let read = 0;
    for (const b of usable) {
      const expires = this.entries.get(b.key);
      if (expires !== undefined && expires > now) read = Math.max(read, b.tokens);
    }
    const creation = last.tokens - read;
    for (const b of usable) this.entries.set(b.key, now + b.ttlMs);
    return {
      cacheReadTokens: read,
      cacheCreationTokens: creation,
      cacheCreation1hTokens: last.ttlMs > 300_000 ? creation : 0,
      uncachedTokens: totalTokens - last.tokens,
    };
  }

  clear(): void {
    this.entries.clear();
  }
}
