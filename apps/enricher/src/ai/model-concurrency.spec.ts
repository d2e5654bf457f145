import { ModelConcurrency } from './model-concurrency';

/** A call that finishes when the test says so, recording when it started. */
function gatedCalls() {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const call = (name: string) => () =>
    new Promise<string>((resolve) => {
      started.push(name);
      finishers.set(name, () => resolve(name));
    });
  const finish = async (name: string) => {
    finishers.get(name)!();
    await new Promise((r) => setImmediate(r));
  };
  return { started, call, finish };
}

describe('ModelConcurrency', () => {
  it('never runs more than the global cap at once', async () => {
    const gate = new ModelConcurrency({ global: 2, perPortal: 5 });
    const { started, call, finish } = gatedCalls();
    const runs = ['a', 'b', 'c'].map((n, i) => gate.run(i, call(n)));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a', 'b']);
    expect(gate.stats()).toEqual({ inFlight: 2, waiting: 1 });
    await finish('a');
    expect(started).toEqual(['a', 'b', 'c']);
    await finish('b');
    await finish('c');
    await expect(Promise.all(runs)).resolves.toEqual(['a', 'b', 'c']);
    expect(gate.stats()).toEqual({ inFlight: 0, waiting: 0 });
  });

  it('caps one portal while others still get slots', async () => {
    const gate = new ModelConcurrency({ global: 4, perPortal: 1 });
    const { started, call, finish } = gatedCalls();
    void gate.run(1, call('p1-a'));
    void gate.run(1, call('p1-b'));
    void gate.run(2, call('p2-a'));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['p1-a', 'p2-a']);
    await finish('p1-a');
    expect(started).toEqual(['p1-a', 'p2-a', 'p1-b']);
  });

  it('lets waiting portals take turns, so a flood from one does not starve another', async () => {
    const gate = new ModelConcurrency({ global: 1, perPortal: 1 });
    const { started, call, finish } = gatedCalls();
    void gate.run(1, call('flood-0'));
    for (let i = 1; i <= 5; i++) void gate.run(1, call(`flood-${i}`));
    void gate.run(2, call('single'));
    await new Promise((r) => setImmediate(r));
    await finish('flood-0');
    await finish('flood-1');
    // Portal 2 waited behind only one call of the flooding portal, not five.
    expect(started.slice(0, 3)).toEqual(['flood-0', 'flood-1', 'single']);
  });

  it('frees the slot when a call fails', async () => {
    const gate = new ModelConcurrency({ global: 1, perPortal: 1 });
    await expect(gate.run(1, () => Promise.reject(new Error('529')))).rejects.toThrow('529');
    await expect(gate.run(1, () => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('refuses caps below one', () => {
    expect(() => new ModelConcurrency({ global: 0, perPortal: 1 })).toThrow(/at least 1/);
  });
});
