import { allTopics, deadLetterTopic, topicNames } from './topics';

describe('topics', () => {
  it('derives every name from the prefix and gives each consumed topic a dead-letter twin', () => {
    const topics = topicNames('acme');
    expect(topics.webhooksRaw).toBe('acme.webhooks.raw');
    expect(allTopics(topics)).toEqual(expect.arrayContaining([deadLetterTopic(topics.webhooksRaw), deadLetterTopic(topics.writebacks), deadLetterTopic(topics.scheduledTriggers), deadLetterTopic(topics.replays)]));
    expect(new Set(allTopics(topics)).size).toBe(allTopics(topics).length);
  });
});
