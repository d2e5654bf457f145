/** How far one partition's committed offset is behind its end. */
export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/** A topic's partitions' ends, as kafkajs's admin.fetchTopicOffsets gives them. */
export interface PartitionEnds {
  partition: number;
  high: string;
  low: string;
}

/**
 * Lag of a group on one topic: end minus committed offset, per partition. A partition
 * the group never committed on (offset -1) is behind by everything still in the log
 * (consumers start from the beginning). Never negative. Pure.
 */
export function lagOf(group: string, topic: string, ends: readonly PartitionEnds[], committed: ReadonlyArray<{ partition: number; offset: string }>): PartitionLag[] {
  const committedAt = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return ends.map(({ partition, high, low }) => {
    const at = committedAt.get(partition) ?? -1;
    const from = at < 0 ? Number(low) : at;
    return { group, topic, partition, lag: Math.max(0, Number(high) - from) };
  });
}

/** What reading the lag needs from Kafka's admin API (kafkajs Admin has it). */
export interface LagAdmin {
  fetchTopicOffsets(topic: string): Promise<PartitionEnds[]>;
  fetchOffsets(options: { groupId: string; topics?: string[] }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

/**
 * The lag of each group on the topics it commits on or was assigned: one
 * admin round trip per group and topic, bounded by the topics' partitions.
 */
export async function readConsumerLag(admin: LagAdmin, groups: ReadonlyMap<string, ReadonlySet<string>>): Promise<PartitionLag[]> {
  const out: PartitionLag[] = [];
  for (const [group, assigned] of groups) {
    const known = await admin.fetchOffsets({ groupId: group });
    const topics = [...new Set([...known.map((t) => t.topic), ...assigned])];
    if (topics.length === 0) continue;
    const committed = await admin.fetchOffsets({ groupId: group, topics });
    for (const { topic, partitions } of committed) out.push(...lagOf(group, topic, await admin.fetchTopicOffsets(topic), partitions));
  }
  return out;
}
