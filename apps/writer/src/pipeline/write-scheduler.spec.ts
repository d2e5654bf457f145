import type { BudgetGrant, PlatformEvent } from '@app/common';
import type { QueuedCommand, WriteItem } from './portal-queue';
import { WriteScheduler, type SchedulerVerdict } from './write-scheduler';

let offset = 0;
function command(portalId: number, objectId: string): QueuedCommand {
  offset++;
  const data = { commandId: `c${offset}`, decisionId: 'd', kind: 'update-properties', objectType: 'contacts', objectId, properties: { ai_score: String(offset) } };
  return { request: { portalId, data } as unknown as PlatformEvent<'WritebackRequested'>, topic: 't', partition: 0, offset, receivedAtMs: 0 };
}

function harness(options: { grant?: (portalId: number) => BudgetGrant; verdict?: (portalId: number, items: WriteItem[]) => SchedulerVerdict; perPortal?: number; slowMs?: number } = {}) {
  const calls: Array<{ portalId: number; inputs: number }> = [];
  const acquired: number[] = [];
  const errors: unknown[] = [];
  const settled: QueuedCommand[] = [];
  let clock = 0;
  const scheduler = new WriteScheduler(
    {
      acquire: async (portalId) => {
        acquired.push(portalId);
        return options.grant?.(portalId) ?? { granted: true };
      },
      execute: async (portalId, items) => {
        calls.push({ portalId, inputs: items.length });
        if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
        return options.verdict?.(portalId, items) ?? { settled: items, again: [] };
      },
      onSettled: (commands) => settled.push(...commands),
      onError: (error) => errors.push(error),
      now: () => clock,
    },
    { maxConcurrentCalls: options.perPortal ?? 1, maxConcurrentCallsPerPortal: options.perPortal ?? 1, maxInputsPerCall: 100, errorBackoffMs: 10 },
  );
  return { scheduler, calls, settled, acquired, errors, advance: (ms: number) => (clock += ms) };
}

describe('WriteScheduler', () => {
  it('gives every portal a turn before a backlogged portal gets its second call', async () => {
    const { scheduler, calls } = harness();
    for (let i = 0; i < 1_000; i++) scheduler.enqueue(command(1, String(i)));
    for (let p = 2; p <= 6; p++) scheduler.enqueue(command(p, '1'));
    await scheduler.whenIdle();
    expect(calls.slice(0, 6).map((c) => c.portalId).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(calls.filter((c) => c.portalId === 1).map((c) => c.inputs)).toEqual(Array(10).fill(100));
  });

  it('skips a portal out of budget without holding up the others', async () => {
    const { scheduler, calls, settled, advance } = harness({ grant: (p) => (p === 1 && calls.length < 3 ? { granted: false, waitMs: 1, reason: 'empty' } : { granted: true }) });
    for (let i = 0; i < 50; i++) scheduler.enqueue(command(1, String(i)));
    for (let p = 2; p <= 4; p++) scheduler.enqueue(command(p, '1'));
    setTimeout(() => advance(5), 5);
    await scheduler.whenIdle();
    expect(calls.slice(0, 3).map((c) => c.portalId)).toEqual([2, 3, 4]);
    expect(calls.at(-1)).toEqual({ portalId: 1, inputs: 50 });
    expect(settled).toHaveLength(53);
  });

  it('retries what the executor hands back and settles it once', async () => {
    let first = true;
    const { scheduler, calls, settled } = harness({
      verdict: (_p, items) => {
        if (!first) return { settled: items, again: [] };
        first = false;
        return { settled: [], again: [{ items, attempt: 1, notBeforeMs: 0 }] };
      },
    });
    scheduler.enqueue(command(1, 'a'));
    await scheduler.whenIdle();
    expect(calls).toHaveLength(2);
    expect(settled).toHaveLength(1);
  });

  it('takes a budget token only for a batch it will send, yet runs a backlogged portal’s calls side by side', async () => {
    const quiet = harness({ perPortal: 4 });
    quiet.scheduler.enqueue(command(1, 'only'));
    await quiet.scheduler.whenIdle();
    expect(quiet.acquired).toEqual([1]);

    const busy = harness({ perPortal: 4, slowMs: 20 });
    let inFlight = 0;
    let most = 0;
    const original = busy.calls.push.bind(busy.calls);
    busy.calls.push = (...entries) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => inFlight--, 20);
      return original(...entries);
    };
    for (let i = 0; i < 400; i++) busy.scheduler.enqueue(command(2, String(i)));
    await busy.scheduler.whenIdle();
    expect(busy.calls.map((c) => c.inputs)).toEqual([100, 100, 100, 100]);
    expect(busy.acquired).toHaveLength(4);
    expect(most).toBeGreaterThan(1);
  });

  it('does not resend, after a rebalance, work in flight for a partition it no longer owns', async () => {
    let scheduler!: WriteScheduler;
    const h = harness({
      verdict: (_p, items) => {
        scheduler.dropPartition('t', 0);
        return { settled: [], again: [{ items, attempt: 1, notBeforeMs: 0 }] };
      },
    });
    scheduler = h.scheduler;
    scheduler.enqueue(command(1, 'a'));
    await scheduler.whenIdle();
    expect(h.calls).toHaveLength(1);
    expect(h.settled).toHaveLength(0);
    expect(scheduler.buffered).toBe(0);
  });

  it('counts an unexpected executor error as an attempt', async () => {
    const attempts: number[] = [];
    const h = harness({
      verdict: (_p, items) => {
        attempts.push(items[0]!.attempt);
        if (attempts.length < 3) throw new Error('event store unreachable');
        return { settled: items, again: [] };
      },
    });
    const ticking = setInterval(() => h.advance(10), 5);
    h.scheduler.enqueue(command(1, 'a'));
    await h.scheduler.whenIdle();
    clearInterval(ticking);
    expect(attempts).toEqual([0, 1, 2]);
    expect(h.errors).toHaveLength(2);
    expect(h.settled).toHaveLength(1);
  });
});
