import type { BudgetGrant } from '@app/common';
import { PortalQueue, type QueuedCommand, type WriteItem } from './portal-queue';

export interface SchedulerVerdict {
  settled: WriteItem[];
  again: Array<{ items: WriteItem[]; attempt?: number; notBeforeMs: number; alone?: boolean }>;
  portalWaitMs?: number;
}

export interface WriteSchedulerDeps {
  /** Asks the portal's HubSpot budget for one call. */
  acquire(portalId: number): Promise<BudgetGrant>;
  /** Makes the call and records its outcome; must not throw for HubSpot failures. */
  execute(portalId: number, items: WriteItem[]): Promise<SchedulerVerdict>;
  /** Commands finished for good (their offsets may be committed). */
  onSettled(commands: QueuedCommand[]): void;
  onError(error: unknown, portalId: number): void;
  now(): number;
}

export interface WriteSchedulerOptions {
  maxConcurrentCalls: number;
  maxConcurrentCallsPerPortal: number;
  maxInputsPerCall: number;
  /** After an unexpected error (the event store unreachable), a portal waits this long. */
  errorBackoffMs: number;
}

interface PortalSlot {
  portalId: number;
  queue: PortalQueue;
  running: number;
  /** Dispatches waiting for the budget's answer: at most one, so no token is taken for a batch that will not exist. */
  acquiring: number;
  notBeforeMs: number;
  partition: string;
}

/**
 * Serves many portals' queues fairly: portals take turns (round robin), each turn
 * one batch call, so a portal with a huge backlog gets one call per turn like a
 * portal with one waiting write. A portal out of budget or told to wait is
 * skipped until its time comes, never blocking the others; a batch is built only
 * after the budget granted the call, so it holds everything waiting by then.
 */
export class WriteScheduler {
  private readonly slots = new Map<number, PortalSlot>();
  private readonly ring: number[] = [];
  private readonly inRing = new Set<number>();
  private readonly revoked = new Set<string>();
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Infinity;
  private pumpScheduled = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: WriteSchedulerDeps,
    private readonly options: WriteSchedulerOptions,
  ) {}

  enqueue(command: QueuedCommand): void {
    const portalId = command.request.portalId;
    let slot = this.slots.get(portalId);
    if (!slot) {
      slot = { portalId, queue: new PortalQueue(), running: 0, acquiring: 0, notBeforeMs: 0, partition: partitionKey(command.topic, command.partition) };
      this.slots.set(portalId, slot);
    }
    slot.partition = partitionKey(command.topic, command.partition);
    this.revoked.delete(slot.partition);
    slot.queue.add(command);
    if (!this.inRing.has(portalId)) {
      this.inRing.add(portalId);
      this.ring.push(portalId);
    }
    this.schedulePump();
  }

  /** Commands held (waiting or in flight), across portals. */
  get buffered(): number {
    let total = 0;
    for (const slot of this.slots.values()) total += slot.queue.size;
    return total;
  }

  /** Commands held (waiting or in flight) per portal that holds any (the queue depth gauge). */
  depthByPortal(): Array<[number, number]> {
    const depths: Array<[number, number]> = [];
    for (const slot of this.slots.values()) if (slot.queue.size > 0) depths.push([slot.portalId, slot.queue.size]);
    return depths;
  }

  /** Forgets the waiting work of portals on a partition this instance no longer owns; their in-flight work is not retried here. */
  dropPartition(topic: string, partition: number): number {
    const key = partitionKey(topic, partition);
    this.revoked.add(key);
    let dropped = 0;
    for (const slot of this.slots.values()) if (slot.partition === key) dropped += slot.queue.dropWaiting();
    return dropped;
  }

  /** Resolves once nothing is buffered (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.buffered === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops starting calls; resolves once the calls in flight have finished (or after `timeoutMs`). */
  async stop(timeoutMs = 0): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.running > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    const now = this.deps.now();
    let progressed = true;
    while (progressed && this.running < this.options.maxConcurrentCalls) {
      progressed = false;
      for (let turn = this.ring.length; turn > 0 && this.running < this.options.maxConcurrentCalls; turn--) {
        const portalId = this.ring.shift() as number;
        const slot = this.slots.get(portalId) as PortalSlot;
        if (slot.queue.size === 0 && slot.running === 0) {
          this.inRing.delete(portalId);
          this.slots.delete(portalId);
          continue;
        }
        this.ring.push(portalId);
        if (this.canDispatch(slot, now)) {
          void this.dispatch(slot);
          progressed = true;
        }
      }
    }
    this.armTimer(now);
    this.notifyIdle();
  }

  private canDispatch(slot: PortalSlot, now: number): boolean {
    if (slot.running >= this.options.maxConcurrentCallsPerPortal || slot.acquiring > 0 || slot.notBeforeMs > now) return false;
    const eligibleAt = slot.queue.nextEligibleAtMs(now);
    return eligibleAt !== undefined && eligibleAt <= now;
  }

  private async dispatch(slot: PortalSlot): Promise<void> {
    slot.running++;
    this.running++;
    try {
      slot.acquiring++;
      let grant: BudgetGrant;
      try {
        grant = await this.deps.acquire(slot.portalId);
      } finally {
        slot.acquiring--;
      }
      if (!grant.granted) {
        slot.notBeforeMs = Math.max(slot.notBeforeMs, this.deps.now() + grant.waitMs);
        return;
      }
      const items = slot.queue.takeBatch(this.deps.now(), this.options.maxInputsPerCall);
      if (!items) return;
      // More may be waiting: let the portal's next call start while this one runs.
      this.schedulePump();
      let verdict: SchedulerVerdict;
      try {
        verdict = await this.deps.execute(slot.portalId, items);
      } catch (error) {
        // Counted as an attempt: an error that recurs (a command the executor cannot
        // even build) ends in the dead-letter topic instead of blocking the portal.
        this.deps.onError(error, slot.portalId);
        verdict = { settled: [], again: items.map((item) => ({ items: [item], attempt: item.attempt + 1, notBeforeMs: this.deps.now() + this.options.errorBackoffMs })) };
      }
      // Queue state first, so an exception in onSettled cannot strand items in flight.
      for (const again of verdict.again) {
        const [owned, revoked] = partitionBy(again.items, (item) => !this.revoked.has(keyOfItem(item)));
        slot.queue.putBack(owned, again);
        // Its partition moved to another instance, which re-reads it: forget, do not resend.
        slot.queue.settle(revoked);
      }
      slot.queue.settle(verdict.settled);
      this.deps.onSettled(verdict.settled.flatMap((i) => i.commands));
      if (verdict.portalWaitMs !== undefined) slot.notBeforeMs = Math.max(slot.notBeforeMs, this.deps.now() + verdict.portalWaitMs);
    } catch (error) {
      this.deps.onError(error, slot.portalId);
      slot.notBeforeMs = this.deps.now() + this.options.errorBackoffMs;
    } finally {
      slot.running--;
      this.running--;
      this.schedulePump();
    }
  }

  /** Wakes the pump when the earliest waiting portal becomes eligible. */
  private armTimer(now: number): void {
    let earliest = Infinity;
    for (const portalId of this.ring) {
      const slot = this.slots.get(portalId) as PortalSlot;
      if (slot.running >= this.options.maxConcurrentCallsPerPortal) continue;
      const eligibleAt = slot.queue.nextEligibleAtMs(now);
      if (eligibleAt === undefined) continue;
      earliest = Math.min(earliest, Math.max(eligibleAt, slot.notBeforeMs));
    }
    if (earliest === Infinity || earliest <= now || this.stopped) return;
    if (this.timer && this.timerAtMs <= earliest) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAtMs = earliest;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = Infinity;
      this.pump();
    }, earliest - now);
    this.timer.unref?.();
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || this.buffered > 0 || this.running > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}#${partition}`;
}

function keyOfItem(item: WriteItem): string {
  const first = item.commands[0]!;
  return partitionKey(first.topic, first.partition);
}

function partitionBy<T>(values: T[], keep: (value: T) => boolean): [T[], T[]] {
  const kept: T[] = [];
  const dropped: T[] = [];
  for (const value of values) (keep(value) ? kept : dropped).push(value);
  return [kept, dropped];
}
