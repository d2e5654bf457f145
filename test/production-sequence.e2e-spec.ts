import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ENV_SPEC } from '@app/common';
import { POSTGRES_URL } from './support/database';
import { eventually, KAFKA_BROKERS, uniquePrefix } from './support/kafka';
import { freePort, runNode, SERVICES, startNode, startService, stopService, type RunningService, type ServiceProcessName } from './support/services';

/**
 * README's production start sequence, as docker-compose.yml runs it, without Docker:
 * an environment made from .env.example with only what an operator must fill in (the
 * required secrets, PUBLIC_BASE_URL, AI_PROVIDER=offline on purpose, and where the
 * broker and the database are), then config:check, db:create, db:migrate and
 * kafka:topics (the migrate job), then the four built services, each checked ready.
 * NODE_ENV stays as .env.example says: production.
 */
const ROOT = join(__dirname, '..');

function envExample(): Record<string, string> {
  const lines = readFileSync(join(ROOT, '.env.example'), 'utf8').split(/\r?\n/).filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l));
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/**
 * Where each service answers GET /health/ready. Enricher, writer and scheduler serve it
 * on their ops ports once ENV_SPEC has them (the health work); until then a service
 * counts as started when it logged that it consumes and is still running.
 */
const OPS_PORT_VARIABLE: Record<Exclude<ServiceProcessName, 'ingest'>, { env: string; started: RegExp }> = {
  enricher: { env: 'ENRICHER_OPS_PORT', started: /enricher consuming triggers/ },
  writer: { env: 'WRITER_OPS_PORT', started: /writer consuming writebacks/ },
  scheduler: { env: 'SCHEDULER_OPS_PORT', started: /scheduler running/ },
};
const hasOpsPorts = ENV_SPEC.some((spec) => spec.env === OPS_PORT_VARIABLE.enricher.env);

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
    for (const name of ['INGEST_PORT', 'ADMIN_PORT', ...Object.values(OPS_PORT_VARIABLE).map((v) => v.env)]) ports[name] = await freePort();
    env = {
      ...example,
      // What the operator fills in.
      HUBSPOT_CLIENT_SECRET: randomBytes(24).toString('hex'),
      ADMIN_API_KEY: randomBytes(24).toString('hex'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PUBLIC_BASE_URL: 'https://hooks.example.test',
      AI_PROVIDER: 'offline',
      // Their broker and database: the local ones, a fresh database and topic prefix.
      DATABASE_URL: `${POSTGRES_URL}/${database}`,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: uniquePrefix('prodseq'),
      KAFKA_TOPIC_PARTITIONS: '2',
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    };
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
    for (const [name, { env: portVariable, started }] of Object.entries(OPS_PORT_VARIABLE)) {
      if (hasOpsPorts) await eventually(() => ready(ports[portVariable]!), 60_000, describeFailure(name));
      else await eventually(async () => byName(name).output.some((line) => started.test(line)), 60_000, describeFailure(name));
    }
    for (const service of services) expect({ name: service.name, exitCode: service.process.exitCode }).toEqual({ name: service.name, exitCode: null });
    // The offline provider, chosen on purpose, says so in the enricher's log.
    expect(byName('enricher').output.join('\n')).toContain('Offline rules-based provider');
  });

  it('stops each service cleanly on SIGTERM', async () => {
    for (const service of services.splice(0)) expect({ name: service.name, code: await stopService(service) }).toEqual({ name: service.name, code: 0 });
  });
});
