/**
 * Which offsets of one partition are still being worked on. Work finishes out of
 * order (portals are served independently), but Kafka only stores one committed
 * offset per partition: the commit point is the lowest offset not yet done, so a
 * restart re-reads everything unfinished and nothing finished is skipped.
 */
export class PartitionOffsets {
  private readonly inOrder: number[] = [];
  private head = 0;
  private readonly done = new Set<number>();
  private highest = -1;

  /** False for an offset tracked before (kafkajs re-fetches after a rebalance or a failed batch). */
  isNew(offset: number): boolean {
    return offset > this.highest;
  }

  /** Starts tracking an offset; false when it was tracked before (a re-fetch after a rebalance). */
  track(offset: number): boolean {
    if (offset <= this.highest) return false;
    this.highest = offset;
    this.inOrder.push(offset);
    return true;
  }

  complete(offset: number): void {
    if (offset <= this.highest) this.done.add(offset);
  }

  /** The offset to commit (Kafka's "next to read"), or undefined before anything was tracked. */
  commitPoint(): number | undefined {
    while (this.head < this.inOrder.length && this.done.has(this.inOrder[this.head] as number)) {
      this.done.delete(this.inOrder[this.head] as number);
      this.head++;
    }
    if (this.head > 1024) {
      this.inOrder.splice(0, this.head);
      this.head = 0;
    }
    if (this.highest < 0) return undefined;
    return this.inOrder[this.head] ?? this.highest + 1;
  }

  /** Offsets at or after the commit point (some may be done, behind one that is not). */
  get heldBack(): number {
    this.commitPoint();
    return this.inOrder.length - this.head;
  }
}
