import { callsPerRecord, DEFAULT_CALLS_PER_RECORD, nextStep, pacingFor, refillAllowance, type Pacing, type StepInput } from './backfill-pacing';

describe('backfill pacing', () => {
  describe('the rate: share × standard calls per 10 s ÷ HubSpot calls per record', () => {
    it('Starter (90 calls per 10 s after headroom), a quarter, 3 calls per record: 7 records per 10 s', () => {
      expect(pacingFor({ standardPerTenSeconds: 90, searchPerSecond: 4 }, 0.25, 3)).toEqual({ callsPerRecord: 3, recordsPerTenSeconds: 7, maxInFlight: 2, searchIntervalMs: 1000 });
    });

    it('keeps the backfill’s calls within its share whatever the plan', () => {
      for (const limit of [90, 171, 225, 900, 9000]) {
        for (const calls of [1, 1.4, 2.5, 3, 7]) {
          const pacing = pacingFor({ standardPerTenSeconds: limit, searchPerSecond: 4 }, 0.25, calls);
          if (pacing.recordsPerTenSeconds > 1) expect(pacing.recordsPerTenSeconds * calls).toBeLessThanOrEqual(0.25 * limit + 1e-9);
        }
      }
    });

    it('lets about a quarter second of the rate be in flight, at least 2 and never more than a page', () => {
      expect(pacingFor({ standardPerTenSeconds: 900, searchPerSecond: 4 }, 0.25, 1).maxInFlight).toBe(6);
      expect(pacingFor({ standardPerTenSeconds: 900_000, searchPerSecond: 4 }, 1, 1).maxInFlight).toBe(200);
    });

    it('spaces searches at the share of the search pool (at most one a minute even when it is tiny)', () => {
      expect(pacingFor({ standardPerTenSeconds: 90, searchPerSecond: 4 }, 0.5, 3).searchIntervalMs).toBe(500);
      expect(pacingFor({ standardPerTenSeconds: 90, searchPerSecond: 0 }, 0.5, 3).searchIntervalMs).toBe(60_000);
    });
  });

  it('measures calls per record from the backfill’s own records once there are enough, 3 before', () => {
    expect(callsPerRecord({ records: 5, reads: 5, writes: 5, writeCalls: 1 })).toBe(DEFAULT_CALLS_PER_RECORD);
    expect(callsPerRecord({ records: 100, reads: 100, writes: 0, writeCalls: 0 })).toBe(DEFAULT_CALLS_PER_RECORD);
    // The writer batched 5 writebacks per call.
    expect(callsPerRecord({ records: 100, reads: 100, writes: 100, writeCalls: 20 })).toBe(1.2);
    // Writes trail the reads: the newest records' writes are not counted against them.
    expect(callsPerRecord({ records: 100, reads: 400, writes: 60, writeCalls: 60 })).toBe(5);
  });

  it('refills records evenly, holding at most a quarter second’s worth', () => {
    const start = { tokens: 0, atMs: 0 };
    // 100 records per 10 s: 1 in 100 ms, at most 2.5 held.
    expect(refillAllowance(start, 100, 200).tokens).toBeCloseTo(2);
    expect(refillAllowance(start, 100, 60_000).tokens).toBe(2.5);
  });

  describe('the next step', () => {
    const pacing: Pacing = { callsPerRecord: 3, recordsPerTenSeconds: 50, maxInFlight: 5, searchIntervalMs: 1000 };
    const base: StepInput = { pending: 0, exhausted: false, listed: 0, limit: null, inFlight: 0, lastPageSize: 0, allowance: { tokens: 5, atMs: 0 }, pacing, searchWaitMs: 0 };
    const step = (input: Partial<StepInput>) => nextStep({ ...base, ...input }, 200);

    it('lists the first page (200, or what is left of the limit)', () => {
      expect(step({})).toEqual({ kind: 'list', pageSize: 200 });
      expect(step({ limit: 450, listed: 400 })).toEqual({ kind: 'list', pageSize: 50 });
    });

    it('queues what the rate, the room in flight and the pending ids allow', () => {
      expect(step({ pending: 200 })).toEqual({ kind: 'queue', count: 5 });
      expect(step({ pending: 200, inFlight: 3 })).toEqual({ kind: 'queue', count: 2 });
      expect(step({ pending: 1 })).toEqual({ kind: 'queue', count: 1 });
      expect(step({ pending: 200, allowance: { tokens: 2.7, atMs: 0 } })).toEqual({ kind: 'queue', count: 2 });
    });

    it('waits for the rate, and for records in flight', () => {
      expect(step({ pending: 200, allowance: { tokens: 0.5, atMs: 0 } })).toMatchObject({ kind: 'wait', ms: 100 });
      expect(step({ pending: 200, inFlight: 5 })).toMatchObject({ kind: 'wait', ms: 200 });
    });

    it('lists the next page only once most of the last one was decided, and not sooner than the search spacing', () => {
      expect(step({ lastPageSize: 200, inFlight: 41 })).toMatchObject({ kind: 'wait' });
      expect(step({ lastPageSize: 200, inFlight: 40, searchWaitMs: 300 })).toMatchObject({ kind: 'wait', ms: 300 });
      expect(step({ lastPageSize: 200, inFlight: 40 })).toEqual({ kind: 'list', pageSize: 200 });
    });

    it('completes once everything was listed, queued and decided', () => {
      expect(step({ exhausted: true, inFlight: 2 })).toMatchObject({ kind: 'wait' });
      expect(step({ exhausted: true })).toEqual({ kind: 'complete' });
      expect(step({ limit: 10, listed: 10 })).toEqual({ kind: 'complete' });
    });
  });
});
