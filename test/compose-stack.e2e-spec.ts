import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { DataSource } from 'typeorm';
import { interpolate } from './support/compose-interpolate';
import { POSTGRES_URL } from './support/database';
import { eventually } from './support/kafka';
import { operatorEnv } from './support/operator-env';

/**
 * docker-compose.yml run without Docker (this machine has no Docker engine): each
 * service's own environment, as Compose interpolates it from an .env made from
 * .env.example with what an operator fills in and pointed at "their" broker and
 * database (the local ones), its own command, and its own health check command, on
 * the host instead of in a container. What this cannot cover is the image itself
 * (docker build) and the container network; the compose file's syntax and schema
 * are test/compose.spec.ts's.
 */
const ROOT = join(__dirname, '..');
const APP_SERVICES = ['ingest', 'enricher', 'writer', 'scheduler'] as const;
/** The ports the compose file gives the services inside their containers; here they are the host's. */
const CONTAINER_PORTS = [3000, 3001, 3011, 3012, 3013];

interface ComposeService {
  command: string[];
  environment: Record<string, string | number | null>;
  healthcheck?: { test: string[] };
}

function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** A compose command run here: `node` is this Node; paths are relative to the image's WORKDIR, the repository root here. */
function run(command: string[], environment: Record<string, string>): ChildProcess {
  const [program, ...args] = command;
  return spawn(program === 'node' ? process.execPath : program!, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('docker-compose.yml without Docker: its environments, commands and health checks start a working stack', () => {
  const database = `hubspot_ai_test_compose_${randomBytes(4).toString('hex')}`;
  const running: Array<{ name: string; child: ChildProcess; output: string[] }> = [];
  let services: Record<string, ComposeService>;

  beforeAll(async () => {
    const busy = [];
    for (const port of CONTAINER_PORTS) if (!(await portFree(port))) busy.push(port);
    if (busy.length > 0) throw new Error(`ports ${busy.join(', ')} are taken: the compose file's services listen on them`);
    // Compose lets the broker and the database be given; the ops listeners bind 0.0.0.0 in it, so /metrics needs its key.
    const dotEnv = { ...operatorEnv(database, 'compose'), METRICS_API_KEY: randomBytes(24).toString('hex') };
    const compose = interpolate(YAML.parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }), dotEnv) as { services: Record<string, ComposeService> };
    services = compose.services;
  });

  afterAll(async () => {
    for (const { child } of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const admin = await new DataSource({ type: 'postgres', url: `${POSTGRES_URL}/postgres` }).initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.destroy();
  });

  const environmentOf = (name: string): Record<string, string> =>
    Object.fromEntries(Object.entries(services[name]!.environment).flatMap(([key, value]) => (value === null || value === '' ? [] : [[key, String(value)]])));

  it('the migrate job (config:check, db:migrate, kafka:topics) exits 0', async () => {
    const output: string[] = [];
    const child = run(services.migrate!.command, environmentOf('migrate'));
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`migrate exited ${code}:\n${output.join('')}`);
  }, 120_000);

  it('each service starts with its command and environment, and its health check passes', async () => {
    for (const name of APP_SERVICES) {
      const output: string[] = [];
      const child = run(services[name]!.command, environmentOf(name));
      child.stdout!.on('data', (c: Buffer) => output.push(...c.toString().split('\n').filter(Boolean)));
      child.stderr!.on('data', (c: Buffer) => output.push(...c.toString().split('\n').filter(Boolean)));
      running.push({ name, child, output });
    }
    for (const { name, child, output } of running) {
      const [kind, program, ...args] = services[name]!.healthcheck!.test;
      expect(kind).toBe('CMD');
      const healthy = async () => spawnSync(program === 'node' ? process.execPath : program!, args, { timeout: 5_000 }).status === 0;
      await eventually(healthy, 90_000, `${name}'s health check to pass; its output:\n${output.slice(-20).join('\n')}`);
      expect({ name, exitCode: child.exitCode }).toEqual({ name, exitCode: null });
    }
  }, 200_000);

  it('each service stops with exit 0 on SIGTERM (what docker compose stop sends)', async () => {
    for (const { name, child } of running) {
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill('SIGTERM');
      const [code] = await exited;
      expect({ name, code }).toEqual({ name, code: 0 });
    }
  }, 60_000);
});
