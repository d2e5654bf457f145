import type { PlatformEvent, WritebackCommand } from '@app/common';

/** A WritebackRequested as received, with where it came from (for offsets and dead letters). */
export interface QueuedCommand {
  request: PlatformEvent<'WritebackRequested'>;
  topic: string;
  partition: number;
  offset: number;
  receivedAtMs: number;
}

/**
 * One input of a HubSpot batch call. A property update may carry several commands
 * for the same object, merged so that a later value replaces an earlier one that
 * was still waiting.
 */
export interface WriteItem {
  /** Updates: objectType:objectId (at most one waiting and one in flight per object). Creates: the command id. */
  key: string;
  /** Calls are made per group: `update:<objectType>`, `create:notes`, `create:tasks`. */
  group: string;
  commands: QueuedCommand[];
  /** Merged properties, for updates. */
  properties?: Record<string, string>;
  attempt: number;
  notBeforeMs: number;
  /** Sent alone: a whole batch was rejected and the bad input must be found. */
  alone: boolean;
  /**
   * Creates: known in this process not to exist in HubSpot (the last send was refused
   * before anything was applied, or a read-back found no record with its marker), so
   * it may be sent without reading back first. Lost on restart, which only costs a read.
   */
  knownAbsent?: boolean;
  /** The owner to write instead of the routed one (deactivated in HubSpot); null = none. */
  ownerOverride?: string | null;
}

export function groupOf(command: WritebackCommand): string {
  switch (command.kind) {
    case 'update-properties':
      return `update:${command.objectType}`;
    case 'create-note':
      return 'create:notes';
    case 'create-task':
      return 'create:tasks';
  }
}

function keyOf(command: WritebackCommand): string {
  return command.kind === 'update-properties' ? `${command.objectType}:${command.objectId}` : command.commandId;
}

/**
 * One portal's waiting writebacks, batched. Pure: no I/O, no timers. Items wait in
 * arrival order; a batch is the oldest eligible item's group, up to `maxInputs`
 * eligible items of that group, never an object already in flight.
 */
export class PortalQueue {
  private readonly waiting = new Map<string, WriteItem>();
  private readonly inFlight = new Set<string>();
  private commandCount = 0;

  add(command: QueuedCommand): void {
    const data = command.request.data;
    const key = keyOf(data);
    const existing = this.waiting.get(key);
    this.commandCount++;
    if (existing) {
      // An update of an object already waiting merges into it; a create delivered twice
      // (same command id) rides along, so both deliveries settle with one call.
      if (data.kind === 'update-properties') existing.properties = { ...existing.properties, ...data.properties };
      existing.commands.push(command);
      return;
    }
    this.waiting.set(key, {
      key,
      group: groupOf(data),
      commands: [command],
      ...(data.kind === 'update-properties' ? { properties: { ...data.properties } } : {}),
      attempt: 0,
      notBeforeMs: 0,
      alone: false,
    });
  }

  /** The next batch, marked in flight until `settle`/`putBack`; undefined when nothing is eligible now. */
  takeBatch(nowMs: number, maxInputs: number): WriteItem[] | undefined {
    let group: string | undefined;
    const batch: WriteItem[] = [];
    for (const item of this.waiting.values()) {
      if (item.notBeforeMs > nowMs || this.inFlight.has(item.key)) continue;
      if (group === undefined) {
        group = item.group;
        batch.push(item);
        if (item.alone) break;
        continue;
      }
      if (item.group !== group || item.alone) continue;
      batch.push(item);
      if (batch.length >= maxInputs) break;
    }
    if (batch.length === 0) return undefined;
    for (const item of batch) {
      this.waiting.delete(item.key);
      this.inFlight.add(item.key);
    }
    return batch;
  }

  /** Items whose call finished for good (applied, skipped, failed or dead-lettered). */
  settle(items: WriteItem[]): void {
    for (const item of items) {
      this.inFlight.delete(item.key);
      this.commandCount -= item.commands.length;
    }
  }

  /**
   * Items to try again. When newer commands for the same object arrived meanwhile,
   * the two merge with the newer values winning, so order per object holds.
   */
  putBack(items: WriteItem[], change: { attempt?: number; notBeforeMs: number; alone?: boolean }): void {
    for (const item of items) {
      this.inFlight.delete(item.key);
      const retried: WriteItem = { ...item, attempt: change.attempt ?? item.attempt, notBeforeMs: change.notBeforeMs, alone: change.alone ?? item.alone };
      const newer = this.waiting.get(item.key);
      if (newer) {
        retried.properties = { ...retried.properties, ...newer.properties };
        retried.commands = [...retried.commands, ...newer.commands];
        this.waiting.delete(item.key);
      }
      this.waiting.set(item.key, retried);
    }
  }

  /**
   * `nowMs` if an item is eligible now, else the earliest instant one becomes so
   * (objects in flight are not counted); undefined when none waits. Stops at the
   * first eligible item, which under a backlog is the first one.
   */
  nextEligibleAtMs(nowMs: number): number | undefined {
    let earliest: number | undefined;
    for (const item of this.waiting.values()) {
      if (this.inFlight.has(item.key)) continue;
      if (item.notBeforeMs <= nowMs) return nowMs;
      if (earliest === undefined || item.notBeforeMs < earliest) earliest = item.notBeforeMs;
    }
    return earliest;
  }

  /** Commands waiting or in flight. */
  get size(): number {
    return this.commandCount;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Forgets waiting items (their partition was revoked); returns how many commands were dropped. */
  dropWaiting(): number {
    let dropped = 0;
    for (const item of this.waiting.values()) dropped += item.commands.length;
    this.waiting.clear();
    this.commandCount -= dropped;
    return dropped;
  }
}
