/**
 * Helpers shared by the benches that run the services as built (node dist/apps/<service>/main.js)
 * on the real Kafka and Postgres, with the HubSpot sandbox and the Anthropic double in the bench's process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DataSource } from 'typeorm';

export const ROOT = join(__dirname, '..');

export const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

/** Most calls in any rolling 10 s (times in ascending order). */
export function busiestWindow(times: number[], windowMs = 10_000): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export type Service = 'ingest' | 'enricher' | 'writer' | 'scheduler';

/** Starts the built services with `env` (the enricher with its production heap cap). */
export function spawnServices(names: readonly Service[], env: Record<string, string>): ChildProcess[] {
  return names.map((name) => {
    const args = name === 'enricher' ? ['--max-old-space-size=160', join('dist', 'apps', name, 'main.js')] : [join('dist', 'apps', name, 'main.js')];
    return spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  });
}

export async function stopServices(services: readonly ChildProcess[]): Promise<void> {
  for (const s of services) if (s.exitCode === null) s.kill('SIGTERM');
  await Promise.all(services.map((s) => (s.exitCode === null && s.signalCode === null ? once(s, 'exit') : undefined)));
}

export async function dropDatabase(postgresUrl: string, dbName: string): Promise<void> {
  const pg = await new DataSource({ type: 'postgres', url: `${postgresUrl}/postgres` }).initialize();
  await pg.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await pg.destroy();
}

/** A JSON client of the admin API, authorised with `adminKey`; throws on a status >= 300. */
export function adminClient(baseUrl: string, adminKey: string) {
  return async (method: string, path: string, body?: unknown): Promise<Record<string, any>> => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await response.json()) as Record<string, any>;
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}

export async function waitReady(url: string): Promise<void> {
  for (let ready = false; !ready; await sleep(250)) ready = (await fetch(url).catch(() => undefined))?.status === 200;
}
