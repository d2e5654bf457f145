import { PartitionOffsets } from './partition-offsets';

describe('PartitionOffsets', () => {
  it('commits only up to the lowest offset not yet done', () => {
    const offsets = new PartitionOffsets();
    expect(offsets.commitPoint()).toBeUndefined();
    for (const o of [10, 11, 12, 13]) offsets.track(o);
    offsets.complete(11);
    offsets.complete(13);
    expect(offsets.commitPoint()).toBe(10);
    offsets.complete(10);
    expect(offsets.commitPoint()).toBe(12);
    expect(offsets.heldBack).toBe(2);
    offsets.complete(12);
    expect(offsets.commitPoint()).toBe(14);
    expect(offsets.heldBack).toBe(0);
  });

  it('ignores offsets it already tracks, as kafkajs re-fetches them after a rebalance', () => {
    const offsets = new PartitionOffsets();
    expect(offsets.track(5)).toBe(true);
    expect(offsets.track(5)).toBe(false);
    expect(offsets.track(4)).toBe(false);
    expect(offsets.track(6)).toBe(true);
  });
});
