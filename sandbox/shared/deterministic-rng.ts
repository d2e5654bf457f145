import { createHash } from 'crypto';

/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence, so the
 * doubles' answers depend only on their seed (the Anthropic double's on the request
 * content, the HubSpot sandbox's batch order on its `seed`), and a failing run reproduces.
 */
export class DeterministicRng {
  private state: number;

  constructor(seed: string | number) {
    this.state = createHash('sha256').update(String(seed)).digest().readUInt32LE(0);
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    if (max <= min) return min;
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  bool(): boolean {
    return this.next() < 0.5;
  }

  /**
   * A Fisher–Yates shuffle of a copy of `items`. With two or more items the result is never the input order (an
   * identity draw is rotated by one), so a caller that relies on input order fails on every run, not on some.
   */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    if (out.length > 1 && out.every((item, i) => item === items[i])) out.push(out.shift() as T);
    return out;
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
