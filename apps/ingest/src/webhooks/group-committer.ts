import { Injectable } from '@nestjs/common';
import { EventStore, Logger, type AppendRequest } from '@app/common';
import { CoalescingRepository } from '../coalescing/coalescing.repository';
import type { PendingChange } from '../coalescing/coalescing';

export interface CommitItem {
  requests: AppendRequest[];
  /** Property changes for coalescing windows, keyed by the event id that carries them. */
  changes: Map<string, PendingChange>;
}

/** Per append request of the item: true when every event in it was already stored. */
export type CommitResult = boolean[];

/** Each event usually has its own stream and so its own advisory lock: keep well under Postgres's lock table (max_locks_per_transaction x max_connections). */
const MAX_EVENTS_PER_TRANSACTION = 1_000;
/** Two transactions in flight keep Postgres busy while the next batch is being sent. */
const MAX_TRANSACTIONS_IN_FLIGHT = 2;

interface Waiting {
  item: CommitItem;
  resolve: (result: CommitResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for webhook requests. While transactions are in flight, requests
 * that arrive queue up; the next transaction takes all of them. At low load a
 * request commits alone and at once; under load many share one transaction (one
 * fsync, a handful of round trips), which is what lets ingest keep up with
 * HubSpot's bursts. Each request is still answered only after its own events
 * committed. If a shared transaction fails, its requests are retried one by one,
 * so one bad request cannot fail the others.
 */
@Injectable()
export class GroupCommitter {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly eventStore: EventStore,
    private readonly logger: Logger,
  ) {}

  submit(item: CommitItem): Promise<CommitResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight < MAX_TRANSACTIONS_IN_FLIGHT) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          const results = await this.commit(batch.map((w) => w.item));
          batch.forEach((waiting, i) => waiting.resolve(results[i]!));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          this.logger.warn('a shared webhook transaction failed; committing its requests one by one', { error, requests: batch.length });
          for (const waiting of batch) {
            await this.commit([waiting.item]).then(([result]) => waiting.resolve(result!), waiting.reject);
          }
        }
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    let events = 0;
    while (this.queue.length > 0) {
      const size = this.queue[0]!.item.requests.reduce((n, r) => n + r.events.length, 0);
      if (batch.length > 0 && events + size > MAX_EVENTS_PER_TRANSACTION) break;
      batch.push(this.queue.shift()!);
      events += size;
    }
    return batch;
  }

  private async commit(items: CommitItem[]): Promise<CommitResult[]> {
    const requests = items.flatMap((item) => item.requests);
    const changes = new Map(items.flatMap((item) => [...item.changes]));
    const result = await this.eventStore.appendAll(requests, async (manager, results) => {
      // Only changes whose event is new open or extend a window: a redelivery must not count twice.
      const fresh = results.flatMap((r) => (r.kind === 'appended' ? r.appendedIds : [])).map((id) => changes.get(id)).filter((c): c is PendingChange => c !== undefined);
      await CoalescingRepository.add(manager, fresh);
    });
    if (result.kind !== 'committed') throw new Error(`unexpected append conflict on ${result.streamId}`);
    const duplicates = result.results.map((r) => r.kind === 'duplicate');
    const perItem: CommitResult[] = [];
    let offset = 0;
    for (const item of items) {
      perItem.push(duplicates.slice(offset, offset + item.requests.length));
      offset += item.requests.length;
    }
    return perItem;
  }
}
