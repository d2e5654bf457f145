import { lagOf, readConsumerLag, type LagAdmin } from './consumer-lag';

describe('consumer lag', () => {
  it('is the end minus the committed offset per partition; never committed counts what is still in the log', () => {
    const ends = [
      { partition: 0, high: '120', low: '0' },
      { partition: 1, high: '50', low: '10' },
      { partition: 2, high: '7', low: '7' },
    ];
    expect(lagOf('g', 't', ends, [{ partition: 0, offset: '100' }, { partition: 1, offset: '-1' }])).toEqual([
      { group: 'g', topic: 't', partition: 0, lag: 20 },
      { group: 'g', topic: 't', partition: 1, lag: 40 },
      { group: 'g', topic: 't', partition: 2, lag: 0 },
    ]);
    expect(lagOf('g', 't', [{ partition: 0, high: '5', low: '0' }], [{ partition: 0, offset: '9' }])[0]!.lag).toBe(0);
  });

  it('reads the topics a group committed on and the ones it was assigned', async () => {
    const asked: Array<{ groupId: string; topics?: string[] }> = [];
    const admin: LagAdmin = {
      fetchOffsets: async (options) => {
        asked.push(options);
        const topics = options.topics ?? ['committed'];
        return topics.map((topic) => ({ topic, partitions: [{ partition: 0, offset: topic === 'committed' ? '3' : '-1' }] }));
      },
      fetchTopicOffsets: async () => [{ partition: 0, high: '10', low: '0' }],
    };
    const lag = await readConsumerLag(admin, new Map([['g', new Set(['assigned'])]]));
    expect(asked).toEqual([{ groupId: 'g' }, { groupId: 'g', topics: ['committed', 'assigned'] }]);
    expect(lag).toEqual([
      { group: 'g', topic: 'committed', partition: 0, lag: 7 },
      { group: 'g', topic: 'assigned', partition: 0, lag: 10 },
    ]);
  });
});
