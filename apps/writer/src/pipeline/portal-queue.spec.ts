import type { PlatformEvent, WritebackCommand } from '@app/common';
import { PortalQueue, type QueuedCommand } from './portal-queue';

let offset = 0;
function queued(data: Partial<WritebackCommand> & Pick<WritebackCommand, 'kind'>): QueuedCommand {
  offset++;
  const command = { commandId: `c${offset}`, decisionId: 'd', objectType: 'contacts', objectId: '1', ...data } as WritebackCommand;
  return { request: { portalId: 7, data: command } as PlatformEvent<'WritebackRequested'>, topic: 't', partition: 0, offset, receivedAtMs: 0 };
}
const update = (objectId: string, properties: Record<string, string>, objectType = 'contacts') => queued({ kind: 'update-properties', objectType, objectId, properties } as never);
const note = (objectId: string) => queued({ kind: 'create-note', objectId, body: 'hi', timestamp: '2026-11-28T00:00:00Z' } as never);

describe('PortalQueue', () => {
  it('merges waiting updates of one object, a later value replacing an earlier one', () => {
    const queue = new PortalQueue();
    queue.add(update('1', { ai_score: '10', ai_persona: 'buyer' }));
    queue.add(update('1', { ai_score: '20' }));
    const batch = queue.takeBatch(0, 100)!;
    expect(batch).toHaveLength(1);
    expect(batch[0]!.properties).toEqual({ ai_score: '20', ai_persona: 'buyer' });
    expect(batch[0]!.commands).toHaveLength(2);
    expect(queue.size).toBe(2);
  });

  it('batches by group up to the maximum inputs, oldest group first', () => {
    const queue = new PortalQueue();
    queue.add(note('1'));
    for (let i = 0; i < 5; i++) queue.add(update(String(i), { ai_score: '1' }));
    queue.add(note('2'));
    queue.add(update('9', { ai_score: '1' }, 'deals'));
    expect(queue.takeBatch(0, 100)!.map((i) => i.group)).toEqual(['create:notes', 'create:notes']);
    expect(queue.takeBatch(0, 3)!.map((i) => i.key)).toEqual(['contacts:0', 'contacts:1', 'contacts:2']);
    expect(queue.takeBatch(0, 3)!.map((i) => i.key)).toEqual(['contacts:3', 'contacts:4']);
    expect(queue.takeBatch(0, 3)!.map((i) => i.key)).toEqual(['deals:9']);
    expect(queue.takeBatch(0, 3)).toBeUndefined();
  });

  it('never sends an object that is already in flight, and merges a retried item under newer values', () => {
    const queue = new PortalQueue();
    queue.add(update('1', { ai_score: '10', ai_summary: 'old' }));
    const first = queue.takeBatch(0, 100)!;
    queue.add(update('1', { ai_score: '20' }));
    expect(queue.takeBatch(0, 100)).toBeUndefined();
    queue.putBack(first, { attempt: 1, notBeforeMs: 500 });
    expect(queue.takeBatch(499, 100)).toBeUndefined();
    expect(queue.nextEligibleAtMs(0)).toBe(500);
    const retried = queue.takeBatch(500, 100)!;
    expect(retried[0]!.properties).toEqual({ ai_score: '20', ai_summary: 'old' });
    expect(retried[0]!.commands.map((c) => c.offset)).toEqual([...first[0]!.commands.map((c) => c.offset), retried[0]!.commands[1]!.offset]);
    queue.settle(retried);
    expect(queue.size).toBe(0);
  });

  it('folds a create delivered twice into one input that settles both deliveries', () => {
    const queue = new PortalQueue();
    const first = note('1');
    const again = { ...first, offset: first.offset + 100 };
    queue.add(first);
    queue.add(again);
    const batch = queue.takeBatch(0, 100)!;
    expect(batch).toHaveLength(1);
    expect(batch[0]!.commands.map((c) => c.offset)).toEqual([first.offset, again.offset]);
    queue.settle(batch);
    expect(queue.size).toBe(0);
  });

  it('sends an item marked alone in a batch of its own', () => {
    const queue = new PortalQueue();
    queue.add(update('1', { a: '1' }));
    queue.add(update('2', { a: '1' }));
    const batch = queue.takeBatch(0, 100)!;
    queue.putBack(batch, { notBeforeMs: 0, alone: true });
    expect(queue.takeBatch(0, 100)).toHaveLength(1);
    expect(queue.takeBatch(0, 100)).toHaveLength(1);
  });
});
