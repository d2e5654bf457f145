import { ConsumerGroups, readinessOf, ReadinessTracker } from './readiness';

describe('readiness', () => {
  it('is ready when Postgres and Kafka answer and every consumer is a member, with or without partitions', () => {
    expect(readinessOf(true, true, {}).status).toBe('ready');
    expect(readinessOf(true, true, { a: { state: 'member', partitions: 3 }, b: { state: 'member', partitions: 0 } }).status).toBe('ready');
    expect(readinessOf(false, true, {}).status).toBe('not-ready');
    expect(readinessOf(true, false, {}).status).toBe('not-ready');
    for (const state of ['joining', 'rebalancing', 'crashed', 'stopped'] as const) {
      expect(readinessOf(true, true, { a: { state: 'member', partitions: 1 }, b: { state, partitions: 1 } }).status).toBe('not-ready');
    }
  });

  it('follows a group through join, rebalance, rejoin and stop, keeping the topics it was assigned', () => {
    const groups = new ConsumerGroups();
    groups.starting('g');
    expect(groups.states()).toEqual({ g: { state: 'joining', partitions: 0 } });
    groups.joined('g', { 'hubspot-ai.webhooks.raw': [0, 1], 'hubspot-ai.triggers.scheduled': [2] });
    expect(groups.states()).toEqual({ g: { state: 'member', partitions: 3 } });
    groups.changed('g', 'rebalancing');
    expect(groups.states().g).toEqual({ state: 'rebalancing', partitions: 3 });
    groups.joined('g', {});
    expect(groups.states().g).toEqual({ state: 'member', partitions: 0 });
    groups.changed('g', 'stopped');
    expect(groups.states().g!.state).toBe('stopped');
    expect([...groups.assignedTopics().get('g')!]).toEqual(['hubspot-ai.webhooks.raw', 'hubspot-ai.triggers.scheduled']);
  });

  it('is not latched: a dependency that answers again makes the next check ready (probes cached briefly)', async () => {
    let now = 0;
    let postgresUp = true;
    let probes = 0;
    const tracker = new ReadinessTracker(
      {
        postgres: async () => {
          probes += 1;
          if (!postgresUp) throw new Error('connection refused');
          return true;
        },
        kafka: async () => true,
      },
      new ConsumerGroups(),
      () => now,
    );
    expect((await tracker.check()).status).toBe('ready');
    postgresUp = false;
    expect((await tracker.check()).status).toBe('ready'); // same instant: the cached probe
    expect(probes).toBe(1);
    now += 1_000;
    expect(await tracker.check()).toMatchObject({ status: 'not-ready', postgres: false, kafka: true });
    postgresUp = true;
    now += 1_000;
    expect((await tracker.check()).status).toBe('ready');
  });
});
