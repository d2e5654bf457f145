import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  events: number;
  errors: number;
  statuses: Record<number, number>;
  seconds: number;
  latenciesMs: number[];
}

export interface Target {
  url: string;
  /** Builds the next request: body and headers (signed when the target needs it). */
  next: () => { body: string; headers: Record<string, string>; events: number };
}

function send(agent: Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Closed loop: `concurrency` clients send back to back for `seconds`. Measures capacity. */
export async function closedLoop(target: Target, concurrency: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(target.url);
  const result: LoadResult = { requests: 0, events: 0, errors: 0, statuses: {}, seconds, latenciesMs: [] };
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const { body, headers, events } = target.next();
        const t0 = performance.now();
        const status = await send(agent, url, body, headers);
        record(result, status, events, performance.now() - t0);
      }
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return result;
}

/** Open loop: a steady `perSecond` request rate whatever the latency. Measures latency at a load. */
export async function openLoop(target: Target, perSecond: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(target.url);
  const result: LoadResult = { requests: 0, events: 0, errors: 0, statuses: {}, seconds, latenciesMs: [] };
  const total = Math.round(perSecond * seconds);
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { body, headers, events } = target.next();
    const t0 = performance.now();
    inFlight.push(send(agent, url, body, headers).then((status) => record(result, status, events, performance.now() - t0)));
  }
  await Promise.all(inFlight);
  result.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return result;
}

function record(result: LoadResult, status: number, events: number, latencyMs: number): void {
  result.requests += 1;
  result.statuses[status] = (result.statuses[status] ?? 0) + 1;
  if (status === 200) result.events += events;
  else result.errors += 1;
  result.latenciesMs.push(latencyMs);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
