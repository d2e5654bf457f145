import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const SERVICES = ['ingest', 'enricher', 'writer', 'scheduler'] as const;
export type ServiceProcessName = (typeof SERVICES)[number];

export interface RunningService {
  name: string;
  process: ChildProcess;
  output: string[];
}

const ROOT = join(__dirname, '..', '..');

/** The test app's OAuth client id (its client secret is TEST_CLIENT_SECRET, in testEnv). */
export const TEST_CLIENT_ID = 'test-client-id-0000';

/**
 * What the services need to connect portals through OAuth against a HubSpot sandbox
 * at `hubspotUrl` (GET /oauth/install, the code exchange, token refreshes in enricher
 * and writer): the app's client id, the sandbox's authorize page and the public URL
 * its redirect_uri is built from. Add it to testEnv's extras of every service.
 */
export function oauthEnv(hubspotUrl: string, publicBaseUrl: string, appId?: number): Record<string, string> {
  return {
    HUBSPOT_CLIENT_ID: TEST_CLIENT_ID,
    HUBSPOT_AUTHORIZE_URL: `${hubspotUrl}/oauth/authorize`,
    PUBLIC_BASE_URL: publicBaseUrl,
    ...(appId !== undefined ? { HUBSPOT_APP_ID: String(appId) } : {}),
  };
}

/** Starts a built service exactly as an operator would: node dist/apps/<name>/main.js. */
export function startService(name: ServiceProcessName, env: Record<string, string>): RunningService {
  return startNode(name, join(ROOT, 'dist', 'apps', name, 'main.js'), [], env);
}

export function startNode(name: string, script: string, args: string[], env: Record<string, string>): RunningService {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  return { name, process: child, output };
}

/** Runs a command to completion (e.g. the tools' db:migrate); rejects with its output on failure. */
export async function runNode(script: string, args: string[], env: Record<string, string>): Promise<string[]> {
  const service = startNode('tool', join(ROOT, script), args, env);
  const [code] = (await once(service.process, 'exit')) as [number];
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${code}:\n${service.output.join('\n')}`);
  return service.output;
}

export async function stopService(service: RunningService, timeoutMs = 15_000): Promise<number | null> {
  if (service.process.exitCode !== null) return service.process.exitCode;
  const exited = once(service.process, 'exit');
  service.process.kill('SIGTERM');
  const timer = setTimeout(() => service.process.kill('SIGKILL'), timeoutMs);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}
