import { Injectable } from '@nestjs/common';

/** Where one consumer group member of this process stands, as kafkajs's events tell it. */
export type GroupMembership = 'joining' | 'member' | 'rebalancing' | 'crashed' | 'stopped';

export interface GroupState {
  state: GroupMembership;
  /** Partitions assigned at the last join (0 is fine: more members than partitions). */
  partitions: number;
}

export interface ReadinessProbes {
  postgres(): Promise<boolean>;
  kafka(): Promise<boolean>;
}

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  postgres: boolean;
  kafka: boolean;
  /** Every consumer group this process consumes in, by id. */
  consumers: Record<string, GroupState>;
}

/**
 * Ready: Postgres and Kafka answer, and every consumer this process started is a
 * member of its group. A member with no partitions (the group has more members than
 * the topic has partitions) is ready: it is idle on purpose and takes over on the
 * next rebalance. A process without consumers (the scheduler) is ready on its
 * dependencies alone. Pure.
 */
export function readinessOf(postgres: boolean, kafka: boolean, consumers: Record<string, GroupState>): ReadinessReport {
  const members = Object.values(consumers).every((group) => group.state === 'member');
  return { status: postgres && kafka && members ? 'ready' : 'not-ready', postgres, kafka, consumers };
}

/** Probes are answered from a short cache: a burst of checks costs one round trip. */
const PROBE_CACHE_MS = 1_000;
/** A probe that has not answered by then counts as down (a half-open connection hangs). */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * The consumer groups of this process and where each member stands, as the
 * consumers' events tell it (KafkaObserver), with the topics each was assigned
 * (where its lag is read).
 */
@Injectable()
export class ConsumerGroups {
  private readonly groups = new Map<string, GroupState>();
  private readonly topics = new Map<string, Set<string>>();

  /** A consumer was created: not ready until it has joined its group. */
  starting(groupId: string): void {
    this.groups.set(groupId, { state: 'joining', partitions: 0 });
    if (!this.topics.has(groupId)) this.topics.set(groupId, new Set());
  }

  joined(groupId: string, assignment: Record<string, number[]>): void {
    const topics = this.topics.get(groupId) ?? new Set<string>();
    this.topics.set(groupId, topics);
    let partitions = 0;
    for (const [topic, assigned] of Object.entries(assignment)) {
      topics.add(topic);
      partitions += assigned.length;
    }
    this.groups.set(groupId, { state: 'member', partitions });
  }

  changed(groupId: string, state: Exclude<GroupMembership, 'member'>): void {
    this.groups.set(groupId, { state, partitions: this.groups.get(groupId)?.partitions ?? 0 });
  }

  states(): Record<string, GroupState> {
    return Object.fromEntries([...this.groups].map(([id, group]) => [id, { ...group }]));
  }

  /** Each group's topics seen in its assignments. */
  assignedTopics(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.topics;
  }
}

/**
 * The process's readiness: the consumer groups' membership (ConsumerGroups), and
 * Postgres and Kafka probed when asked (cached briefly). Nothing is latched: a
 * dependency that comes back makes the next check ready again, without a restart.
 */
export class ReadinessTracker {
  private last: { at: number; postgres: boolean; kafka: boolean } | undefined;
  private probing: Promise<{ postgres: boolean; kafka: boolean }> | undefined;

  constructor(
    private readonly probes: ReadinessProbes,
    private readonly groups: ConsumerGroups,
    private readonly now: () => number = Date.now,
  ) {}

  async check(): Promise<ReadinessReport> {
    const { postgres, kafka } = await this.probe();
    return readinessOf(postgres, kafka, this.groups.states());
  }

  private async probe(): Promise<{ postgres: boolean; kafka: boolean }> {
    if (this.last && this.now() - this.last.at < PROBE_CACHE_MS) return this.last;
    this.probing ??= Promise.all([withTimeout(this.probes.postgres()), withTimeout(this.probes.kafka())])
      .then(([postgres, kafka]) => {
        this.last = { at: this.now(), postgres, kafka };
        return this.last;
      })
      .finally(() => (this.probing = undefined));
    return this.probing;
  }
}

function withTimeout(probe: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  return Promise.race([probe.catch(() => false), timedOut]).finally(() => clearTimeout(timer));
}
