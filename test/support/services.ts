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
