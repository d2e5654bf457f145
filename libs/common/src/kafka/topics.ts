/**
 * Every topic the platform uses, in one place. Names derive from a prefix so that
 * separate deployments (or test runs) can share a cluster without crossing.
 *
 *   webhooksRaw ──▶ enricher ──▶ decisions (audit feed)
 *   scheduledTriggers ─┘    └──▶ writebacks ──▶ writer ──▶ writebackResults
 *   replays (admin API) ──▶ enricher ──▶ replays (next chunk), writebacks (apply)
 * Each consumed topic has a dead-letter twin: `<topic>.dlq`.
 */
export interface TopicNames {
  webhooksRaw: string;
  scheduledTriggers: string;
  decisions: string;
  writebacks: string;
  writebackResults: string;
  replays: string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    webhooksRaw: `${prefix}.webhooks.raw`,
    scheduledTriggers: `${prefix}.triggers.scheduled`,
    decisions: `${prefix}.ai.decisions`,
    writebacks: `${prefix}.writebacks`,
    writebackResults: `${prefix}.writeback.results`,
    replays: `${prefix}.replays`,
  };
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Topics consumed by a service, which therefore have a dead-letter topic. */
export function consumedTopics(topics: TopicNames): string[] {
  return [topics.webhooksRaw, topics.scheduledTriggers, topics.writebacks, topics.replays];
}

export function allTopics(topics: TopicNames): string[] {
  return [...Object.values(topics), ...consumedTopics(topics).map(deadLetterTopic)];
}

export function consumerGroupId(prefix: string, service: string): string {
  return `${prefix}.${service}`;
}
