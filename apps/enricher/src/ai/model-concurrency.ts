/**
 * Caps model calls in flight: at most `global` per instance and `perPortal` per
 * portal. When a slot frees up, the waiting portals take turns (round robin), so
 * a portal with a thousand queued calls cannot hold back one with a single call.
 */
export class ModelConcurrency {
  private inFlight = 0;
  private readonly inFlightByPortal = new Map<number, number>();
  /** Portals with waiting calls, in turn order; each with its own FIFO. */
  private readonly waiting = new Map<number, Array<() => void>>();

  constructor(readonly limits: { global: number; perPortal: number }) {
    if (!(limits.global >= 1) || !(limits.perPortal >= 1)) throw new Error('model concurrency limits must be at least 1');
  }

  async run<T>(portalId: number, call: () => Promise<T>): Promise<T> {
    await this.acquire(portalId);
    try {
      return await call();
    } finally {
      this.release(portalId);
    }
  }

  /** For metrics and tests: calls in flight and waiting. */
  stats(): { inFlight: number; waiting: number } {
    let waiting = 0;
    for (const queue of this.waiting.values()) waiting += queue.length;
    return { inFlight: this.inFlight, waiting };
  }

  private acquire(portalId: number): Promise<void> {
    if (!this.waiting.has(portalId) && this.canStart(portalId)) {
      this.start(portalId);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(portalId) ?? [];
      queue.push(resolve);
      this.waiting.set(portalId, queue);
    });
  }

  private release(portalId: number): void {
    this.inFlight -= 1;
    const left = (this.inFlightByPortal.get(portalId) ?? 1) - 1;
    if (left === 0) this.inFlightByPortal.delete(portalId);
    else this.inFlightByPortal.set(portalId, left);
    this.wakeNext();
  }

  /** Starts waiting calls while slots are free, one portal at a time, the oldest turn first. */
  private wakeNext(): void {
    let progressed = true;
    while (this.inFlight < this.limits.global && progressed) {
      progressed = false;
      for (const [portalId, queue] of this.waiting) {
        if (!this.canStart(portalId)) continue;
        const resolve = queue.shift()!;
        // Back of the line: the next free slot goes to another portal first.
        this.waiting.delete(portalId);
        if (queue.length > 0) this.waiting.set(portalId, queue);
        this.start(portalId);
        resolve();
        progressed = true;
        break;
      }
    }
  }

  private canStart(portalId: number): boolean {
    return this.inFlight < this.limits.global && (this.inFlightByPortal.get(portalId) ?? 0) < this.limits.perPortal;
  }

  private start(portalId: number): void {
    this.inFlight += 1;
    this.inFlightByPortal.set(portalId, (this.inFlightByPortal.get(portalId) ?? 0) + 1);
  }
}
