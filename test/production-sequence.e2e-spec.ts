import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { POSTGRES_URL } from './support/database';
import { eventually } from './support/kafka';
import { envExample, operatorEnv } from './support/operator-env';
import { freePort, runNode, SERVICES, startNode, startService, stopService, type RunningService } from './support/services';

/**
 * README's production start sequence, as docker-compose.yml runs it, without Docker:
 * an environment made from .env.example with only what an operator must fill in (the
 * required secrets, PUBLIC_BASE_URL, AI_PROVIDER=offline on purpose, and where the
 * broker and the database are), then config:check, db:create, db:migrate and
 * kafka:topics (the migrate job), then the four built services, each checked ready.
 * NODE_ENV stays as .env.example says: production.
 */
const ROOT = join(__dirname, '..');

/** Where enricher, writer and scheduler answer GET /health/ready. */
const OPS_PORT_VARIABLE = { enricher: 'ENRICHER_OPS_PORT', writer: 'WRITER_OPS_PORT', scheduler: 'SCHEDULER_OPS_PORT' } as const;

async function ready(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
  return response?.status === 200;
}

describe('the production start sequence, from .env.example', () => {
  const example = envExample();
  const database = `hubspot_ai_test_prodseq_${randomBytes(4).toString('hex')}`;
  const services: RunningService[] = [];
  let env: Record<string, string>;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    for (const name of ['INGEST_PORT', 'ADMIN_PORT', ...Object.values(OPS_PORT_VARIABLE)]) ports[name] = await freePort();
    env = { ...operatorEnv(database, 'prodseq'), ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])) };
  });

  afterAll(async () => {
    for (const service of services) await stopService(service);
    const admin = await new DataSource({ type: 'postgres', url: `${POSTGRES_URL}/postgres` }).initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.destroy();
  });

  it('is production and refuses .env.example left as it is, listing every service\'s problems (exit 78)', async () => {
    expect(example.NODE_ENV).toBe('production');
    const check = startNode('config:check', join(ROOT, 'dist', 'tools', 'main.js'), ['config:check'], example);
    const code = await new Promise<number | null>((resolve) => check.process.on('exit', resolve));
    expect(code).toBe(78);
    const output = check.output.join('\n');
    for (const name of ['HUBSPOT_CLIENT_SECRET', 'ADMIN_API_KEY', 'PUBLIC_BASE_URL', 'TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS', 'AI_PROVIDER=offline']) expect(output).toContain(name);
  });

  it('config:check, db:create, db:migrate and kafka:topics succeed with it filled in', async () => {
    for (const command of ['config:check', 'db:create', 'db:migrate', 'kafka:topics']) await runNode('dist/tools/main.js', [command], env);
  });

  it('starts the four services, each ready', async () => {
    for (const name of SERVICES) services.push(startService(name, env));
    const byName = (name: string) => services.find((s) => s.name === name)!;
    const describeFailure = (name: string) => `${name} to be ready; its output:\n${byName(name).output.slice(-20).join('\n')}`;

    await eventually(() => ready(ports.INGEST_PORT!), 60_000, describeFailure('ingest'));
    for (const [name, variable] of Object.entries(OPS_PORT_VARIABLE)) await eventually(() => ready(ports[variable]!), 60_000, describeFailure(name));
    for (const service of services) expect({ name: service.name, exitCode: service.process.exitCode }).toEqual({ name: service.name, exitCode: null });
    // The offline provider, chosen on purpose, says so in the enricher's log.
    expect(byName('enricher').output.join('\n')).toContain('Offline rules-based provider');
  });

  it('stops each service cleanly on SIGTERM', async () => {
    for (const service of services.splice(0)) expect({ name: service.name, code: await stopService(service) }).toEqual({ name: service.name, code: 0 });
  });
});
