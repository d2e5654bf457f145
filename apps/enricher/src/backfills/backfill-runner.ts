import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig, BackfillProgress, BackfillRepository, CLOCK, EventStore, HubSpotBudget, Logger, PortalAccess, sleep, TOPICS, type Clock, type TopicNames } from '@app/common';
import { BackfillJob, DEFAULT_BACKFILL_TIMING, type BackfillJobDeps } from './backfill-job';
import { BackfillLister } from './backfill-lister';

/** Backfills one enricher works at once (each is one portal's). */
const MAX_JOBS = 8;
/** Between two looks for backfills to claim. */
const CLAIM_EVERY_MS = 1_000;

/**
 * Claims running backfills (a lease in Postgres: one replica per backfill, another
 * takes over when a lease runs out) and works each in a BackfillJob. On shutdown it
 * lets every job finish its step and gives the leases back, so another replica, or
 * this one restarted, goes on from the cursor at once.
 */
@Injectable()
export class BackfillRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly owner = `enricher-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly jobs = new Map<string, Promise<void>>();
  private stopping = false;
  private loop?: Promise<void>;
  private readonly deps: BackfillJobDeps;
  private readonly log: Logger;

  constructor(
    private readonly backfills: BackfillRepository,
    progress: BackfillProgress,
    lister: BackfillLister,
    portals: PortalAccess,
    budget: HubSpotBudget,
    eventStore: EventStore,
    config: AppConfig,
    logger: Logger,
    @Inject(TOPICS) topics: TopicNames,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.log = logger.child({ component: 'backfill-runner' });
    this.deps = {
      backfills,
      progress,
      lister,
      portals,
      budget,
      eventStore,
      topics,
      clock,
      logger: this.log,
      owner: this.owner,
      share: config.backfillBudgetShare,
      defaultHeadroom: config.hubspotBudgetHeadroom,
      timing: DEFAULT_BACKFILL_TIMING,
    };
  }

  onApplicationBootstrap(): void {
    this.loop = this.claimLoop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.allSettled(this.jobs.values());
  }

  private async claimLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.claimSome();
      } catch (error) {
        this.log.error('could not look for backfills to work', { error });
      }
      await sleep(CLAIM_EVERY_MS);
    }
  }

  /** Claims what this runner has room for, and works each claimed backfill. */
  async claimSome(): Promise<number> {
    const room = MAX_JOBS - this.jobs.size;
    if (room <= 0 || this.stopping) return 0;
    const claimed = (await this.backfills.claim(this.owner, this.deps.timing.leaseMs, MAX_JOBS)).filter((row) => !this.jobs.has(row.backfillId)).slice(0, room);
    for (const row of claimed) {
      const job = new BackfillJob(this.deps, row, () => this.stopping);
      const done = job
        .run()
        .catch((error: unknown) => this.log.error('backfill step failed; it goes on after its lease is claimed again', { backfillId: row.backfillId, error }))
        .finally(async () => {
          this.jobs.delete(row.backfillId);
          // Give the lease back (a no-op once an operator paused it or it ended): this runner or another claims it again.
          await this.backfills.release(row.backfillId, this.owner).catch(() => undefined);
        });
      this.jobs.set(row.backfillId, done);
    }
    return claimed.length;
  }
}
