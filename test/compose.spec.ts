/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine.
 *
 * Always: the compose file is parsed with `yaml` (anchors and << merge keys resolved),
 * interpolated the way Compose does (test/support/compose-interpolate.ts) with a test
 * environment, and validated with ajv against the vendored Compose Specification
 * schema (infra/compose/compose-spec.schema.json). Then the platform's own rules.
 *
 * Also, when a `docker compose` plugin is installed: `docker compose config -q`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type AnySchema, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { interpolate, interpolateString, InterpolationError, type Env } from './support/compose-interpolate';
import { configProblemsByService, ENV_SPEC, loadConfig, SERVICE_NAMES } from '@app/common';

const ROOT = join(__dirname, '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const SCHEMA_FILE = join(ROOT, 'infra', 'compose', 'compose-spec.schema.json');
const DOCKERFILE = join(ROOT, 'Dockerfile');
const DOCKERIGNORE = join(ROOT, '.dockerignore');
const ENV_EXAMPLE = join(ROOT, '.env.example');

const APP_SERVICES = ['ingest', 'enricher', 'writer', 'scheduler'] as const;
/** What an operator sets before `docker compose up` (.env); ANTHROPIC_API_KEY deliberately unset. */
const TEST_ENV: Env = Object.freeze({
  HUBSPOT_CLIENT_SECRET: 'test-hubspot-client-secret',
  ADMIN_API_KEY: 'test-admin-api-key-0123456789abcdef',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  PUBLIC_BASE_URL: 'https://hooks.example.com',
});

/**
 * Settings a production deployment cannot do without, found by asking the platform's
 * own rules (loadConfig of every service, NODE_ENV=production) rather than listed by
 * hand: each variable of the smallest valid production environment whose removal makes
 * some service refuse to start. Where the rules accept one of two variables, Compose
 * cannot require either (config:check in the migrate job does): those are EITHER_OR.
 */
const MINIMAL_PRODUCTION_ENV: Env = Object.freeze({ ...TEST_ENV, NODE_ENV: 'production', AI_PROVIDER: 'offline' });
const EITHER_OR: Readonly<Record<string, string>> = { TOKEN_ENCRYPTION_KEY: 'TOKEN_ENCRYPTION_KEYS', AI_PROVIDER: 'ANTHROPIC_API_KEY' };
const without = (env: Env, name: string): Env => Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));
const refusedBySomeService = (env: Env) => configProblemsByService(env as NodeJS.ProcessEnv, SERVICE_NAMES).length > 0;
const REQUIRED_IN_PRODUCTION = Object.keys(MINIMAL_PRODUCTION_ENV).filter((name) => name !== 'NODE_ENV' && refusedBySomeService(without(MINIMAL_PRODUCTION_ENV, name)));
const COMPOSE_REQUIRED = REQUIRED_IN_PRODUCTION.filter((name) => !(name in EITHER_OR));

type Service = Record<string, unknown> & {
  build?: unknown;
  image?: string;
  command?: string | string[];
  environment?: Record<string, string> | string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: Array<string | number | Record<string, unknown>>;
  volumes?: Array<string | Record<string, unknown>>;
};
type ComposeFile = Record<string, unknown> & {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};

function parseYaml(text: string): unknown {
  // merge: `<<` keys are YAML 1.1; Compose resolves them, so must we.
  return YAML.parse(text, { merge: true });
}

function loadCompose(env: Env): ComposeFile {
  return interpolate(parseYaml(readFileSync(COMPOSE_FILE, 'utf8')), env) as ComposeFile;
}

// ---------------------------------------------------------------------------
// Schema validation
// ---------------------------------------------------------------------------

/** Go's time.Duration syntax, which Compose uses ("10s", "1m30s"), not ISO 8601. */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
/** [ip:][host[-range]:]container[-range][/protocol] */
const PORT_SPEC = /^(?:(?:\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z.-]+):)?(?:\d*(?:-\d+)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
const EXPOSE_SPEC = /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
const SUBNET = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]+)\/\d{1,3}$/;

function compileComposeSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const declared = String(schema.$schema ?? '');
  const options = { strict: false, allErrors: true } as const;
  // Pick the Ajv class for the draft the schema declares. The declared URI itself may
  // not be byte-identical to Ajv's meta-schema id (http vs https, trailing #), so the
  // copy compiled here drops $schema and uses that class's default meta-schema.
  const ajv = declared.includes('2020-12') ? new Ajv2020(options) : declared.includes('2019-09') ? new Ajv2019(options) : new Ajv(options);
  // Older schema revisions still carry draft-04 `id` next to `$id`; Ajv 8 refuses
  // that keyword outright, so it is dropped (ignored like any unknown keyword).
  ajv.removeKeyword('id');
  addFormats(ajv);
  // The Compose formats (compose-go registers the same names). `duration` overrides
  // ajv-formats' ISO 8601 one.
  ajv.addFormat('duration', GO_DURATION);
  ajv.addFormat('ports', PORT_SPEC);
  ajv.addFormat('expose', EXPOSE_SPEC);
  ajv.addFormat('subnet_ip_address', SUBNET);
  const { $schema: _declared, ...compilable } = schema;
  return ajv.compile(compilable as AnySchema);
}

let validateCompose: ValidateFunction;
beforeAll(() => {
  validateCompose = compileComposeSchema();
});

function schemaErrors(document: unknown): string[] {
  return validateCompose(document) ? [] : (validateCompose.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

// ---------------------------------------------------------------------------
// Helpers over the parsed file
// ---------------------------------------------------------------------------

function argv(command: Service['command']): string[] {
  if (command === undefined) return [];
  return Array.isArray(command) ? command : command.trim().split(/\s+/);
}

function dependsOn(service: Service): Record<string, string> {
  const deps = service.depends_on;
  if (deps === undefined) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}

function envMap(service: Service): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function hasHealthcheck(service: Service | undefined): boolean {
  const test = service?.healthcheck?.test;
  return !service?.healthcheck?.disable && test !== undefined && argv(test).length > 0 && argv(test)[0] !== 'NONE';
}

// ---------------------------------------------------------------------------

describe('compose interpolation (test/support)', () => {
  const env: Env = { SET: 'value', EMPTY: '' };

  it.each([
    ['plain text', 'plain text'],
    ['$$SET is literal', '$SET is literal'],
    ['$SET and ${SET}', 'value and value'],
    ['${UNSET}|${EMPTY}', '|'],
    ['${UNSET:-dflt} ${EMPTY:-dflt} ${SET:-dflt}', 'dflt dflt value'],
    ['${UNSET-dflt} ${EMPTY-dflt}', 'dflt '],
    ['${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt} ${UNSET+alt}', 'alt  alt '],
    ['${UNSET:-${SET}-nested}', 'value-nested'],
    ['${SET:?never shown}', 'value'],
    ['${EMPTY?set but empty is fine without a colon}', ''],
  ])('%s', (input, expected) => {
    expect(interpolateString(input, env)).toBe(expected);
  });

  it('${VAR:?message} fails when unset or empty, with the message', () => {
    expect(() => interpolateString('${UNSET:?give me UNSET}', env)).toThrow(InterpolationError);
    expect(() => interpolateString('${UNSET:?give me UNSET}', env)).toThrow('required variable UNSET is missing a value: give me UNSET');
    expect(() => interpolateString('${EMPTY:?empty is not enough}', env)).toThrow(InterpolationError);
    expect(() => interpolateString('${UNSET?no colon}', env)).toThrow(InterpolationError);
  });

  it('rejects malformed expressions', () => {
    expect(() => interpolateString('${', env)).toThrow(/unclosed/);
    expect(() => interpolateString('${1BAD}', env)).toThrow(/invalid interpolation/);
    expect(() => interpolateString('${SET:=x}', env)).toThrow(/invalid interpolation/);
  });

  it('interpolates values, never keys, through nested maps and lists', () => {
    expect(interpolate({ $SET: ['${SET}', { k: '${UNSET:-d}' }], n: 1, b: true, z: null }, env)).toEqual({
      $SET: ['value', { k: 'd' }],
      n: 1,
      b: true,
      z: null,
    });
  });
});

describe('infra/compose/compose-spec.schema.json', () => {
  it('is the Compose Specification schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    expect(schema.title).toBe('Compose Specification');
    expect(schema).toHaveProperty(['definitions', 'service']);
  });

  it.each<[string, unknown]>([
    ['ports that are not a list', { services: { x: { image: 'busybox', ports: 'not-a-list' } } }],
    ['an unknown top-level key', { servics: { x: { image: 'busybox' } } }],
    ['an unknown service key', { services: { x: { image: 'busybox', commnd: ['true'] } } }],
    ['a depends_on condition that does not exist', { services: { x: { image: 'busybox', depends_on: { y: { condition: 'service_done' } } }, y: { image: 'busybox' } } }],
    ['a healthcheck interval that is not a duration', { services: { x: { image: 'busybox', healthcheck: { test: ['CMD', 'true'], interval: 'ten seconds' } } } }],
    ['a port that is not a port', { services: { x: { image: 'busybox', ports: ['three-thousand'] } } }],
  ])('rejects a compose file with %s', (_why, broken) => {
    expect(schemaErrors(broken)).not.toEqual([]);
  });

  it('accepts a minimal valid compose file', () => {
    expect(schemaErrors({ services: { x: { image: 'busybox', ports: ['8080:80', '127.0.0.1:9000:9000/tcp', 53], healthcheck: { test: ['CMD', 'true'], interval: '1m30s' } } } })).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  let compose: ComposeFile;
  beforeAll(() => {
    compose = loadCompose(TEST_ENV);
  });

  it('validates against the Compose Specification schema', () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it('has postgres, kafka, migrate and the four services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['enricher', 'ingest', 'kafka', 'migrate', 'postgres', 'scheduler', 'writer']);
  });

  it('runs Kafka in KRaft mode from the official image, single node broker+controller, with a healthcheck', () => {
    const kafka = compose.services.kafka!;
    expect(kafka.image).toMatch(/^(apache\/kafka|bitnami\/kafka):/);
    const env = envMap(kafka);
    const roles = env.KAFKA_PROCESS_ROLES ?? env.KAFKA_CFG_PROCESS_ROLES ?? '';
    expect(roles.split(',').map((r) => r.trim()).sort()).toEqual(['broker', 'controller']);
    expect(Object.keys(env).some((k) => /ZOOKEEPER/.test(k))).toBe(false);
    expect(env.KAFKA_ADVERTISED_LISTENERS ?? env.KAFKA_CFG_ADVERTISED_LISTENERS).toContain('kafka:9092');
    expect(hasHealthcheck(kafka)).toBe(true);
  });

  it('runs Postgres 16 with a healthcheck and a named volume', () => {
    const postgres = compose.services.postgres!;
    expect(postgres.image).toMatch(/^postgres:16(\b|$)/);
    expect(hasHealthcheck(postgres)).toBe(true);
    const namedVolumes = (postgres.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':')[0] : (v.source as string | undefined)))
      .filter((source): source is string => !!source && !source.startsWith('.') && !source.startsWith('/'));
    expect(namedVolumes.length).toBeGreaterThan(0);
    for (const name of namedVolumes) expect(compose.volumes ?? {}).toHaveProperty([name]);
  });

  it('builds migrate and the four services from the one Dockerfile (the same build)', () => {
    const builds = ['migrate', ...APP_SERVICES].map((name) => compose.services[name]!.build);
    expect(builds[0]).toBeDefined();
    for (const build of builds) expect(build).toEqual(builds[0]);
    const context = typeof builds[0] === 'string' ? builds[0] : (builds[0] as { context?: string }).context;
    expect(['.', './']).toContain(context);
  });

  it.each(APP_SERVICES)('%s runs node dist/apps/<its name>/main.js with the same node flags as npm run start:<name>', (name) => {
    const npmStart = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[`start:${name}`]!;
    expect(argv(compose.services[name]!.command)).toEqual(npmStart.split(/\s+/));
    expect(npmStart).toMatch(new RegExp(`^node (--[a-z-]+=\\d+ )*dist/apps/${name}/main\\.js$`));
  });

  it('the four services differ only by command (plus ingest ports and healthcheck)', () => {
    const strip = (s: Service) => {
      const { command: _c, ports: _p, healthcheck: _h, ...rest } = s;
      return rest;
    };
    const base = strip(compose.services.enricher!);
    for (const name of APP_SERVICES) expect(strip(compose.services[name]!)).toEqual(base);
  });

  it('migrate runs db:migrate then kafka:topics, once, after healthy postgres and kafka', () => {
    const migrate = compose.services.migrate!;
    const script = argv(migrate.command).join(' ');
    const migrateAt = script.indexOf('node dist/tools/main.js db:migrate');
    const topicsAt = script.indexOf('node dist/tools/main.js kafka:topics');
    expect(migrateAt).toBeGreaterThanOrEqual(0);
    expect(topicsAt).toBeGreaterThan(migrateAt);
    expect(script).not.toMatch(/;\s*node dist\/tools\/main\.js kafka:topics/); // && so a failed migration fails the job
    expect(dependsOn(migrate)).toEqual({ postgres: 'service_healthy', kafka: 'service_healthy' });
    expect(migrate.restart ?? 'no').toBe('no');
  });

  it.each(APP_SERVICES)('%s starts after migrate completed successfully', (name) => {
    expect(dependsOn(compose.services[name]!)).toMatchObject({ migrate: 'service_completed_successfully' });
  });

  it('keeps the environment in one place (x-service-env) shared by migrate and the services', () => {
    const shared = compose['x-service-env'] as Record<string, string>;
    expect(shared).toBeDefined();
    for (const name of ['migrate', ...APP_SERVICES]) expect(envMap(compose.services[name]!)).toEqual(shared);
  });

  it('knows what production requires from the platform\'s own rules', () => {
    expect(refusedBySomeService(MINIMAL_PRODUCTION_ENV)).toBe(false);
    expect([...REQUIRED_IN_PRODUCTION].sort()).toEqual(['ADMIN_API_KEY', 'AI_PROVIDER', 'HUBSPOT_CLIENT_SECRET', 'PUBLIC_BASE_URL', 'TOKEN_ENCRYPTION_KEY']);
    for (const spec of ENV_SPEC.filter((s) => s.requiredBy?.length)) expect(COMPOSE_REQUIRED).toContain(spec.env);
    // Each either-or pair: the other one alone is enough.
    for (const [name, other] of Object.entries(EITHER_OR)) {
      const alternative = other === 'TOKEN_ENCRYPTION_KEYS' ? `k1:${TEST_ENV.TOKEN_ENCRYPTION_KEY}` : 'sk-ant-test';
      expect(refusedBySomeService({ ...without(MINIMAL_PRODUCTION_ENV, name), [other]: alternative })).toBe(false);
    }
  });

  it('passes every variable the platform reads (ENV_SPEC) to every service', () => {
    const raw = (parseYaml(readFileSync(COMPOSE_FILE, 'utf8')) as Record<string, Record<string, unknown>>)['x-service-env']!;
    const missing = ENV_SPEC.map((spec) => spec.env).filter((name) => !(name in raw));
    expect(missing).toEqual([]);
    for (const name of APP_SERVICES) expect(Object.keys(envMap(compose.services[name]!))).toEqual(expect.arrayContaining(ENV_SPEC.map((s) => s.env)));
  });

  it('requires the production settings with no default, and has no other requirement', () => {
    const raw = (parseYaml(readFileSync(COMPOSE_FILE, 'utf8')) as Record<string, Record<string, string>>)['x-service-env']!;
    for (const name of COMPOSE_REQUIRED) expect({ name, value: raw[name] }).toEqual({ name, value: expect.stringMatching(new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`)) });
    const requiring = Object.entries(raw).filter(([, value]) => /:\?/.test(String(value))).map(([name]) => name);
    expect(requiring.sort()).toEqual([...COMPOSE_REQUIRED].sort());
  });

  it('points the platform at the compose network unless told otherwise, and counts as production', () => {
    const env = envMap(compose.services.ingest!);
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/hubspot_ai$/);
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    expect(env.KAFKA_TOPIC_PARTITIONS).toBe('12');
    expect(env.HUBSPOT_API_BASE_URL).toBe('https://api.hubapi.com');
    for (const name of COMPOSE_REQUIRED) expect(env[name]).toBe(TEST_ENV[name]);
    expect(env.ANTHROPIC_API_KEY).toBe('');
    expect(env.ADMIN_HOST).toBe('0.0.0.0');
    expect(env.OPS_HOST).toBe('0.0.0.0');
    expect(env.NODE_ENV).toBe('production');
    expect(loadConfig(env, 'ingest').nodeEnv).toBe('production');
    // A broker and a database of one's own.
    const external = envMap(loadCompose({ ...TEST_ENV, DATABASE_URL: 'postgres://app:pw@db.internal:5432/hai', KAFKA_BROKERS: 'b1:9092,b2:9092' }).services.writer!);
    expect(external).toMatchObject({ DATABASE_URL: 'postgres://app:pw@db.internal:5432/hai', KAFKA_BROKERS: 'b1:9092,b2:9092' });
  });

  it('refuses, in config:check, to fall back to the offline rules unless AI_PROVIDER=offline says so', () => {
    const noKey = envMap(compose.services.migrate!);
    expect(configProblemsByService(noKey, SERVICE_NAMES)).toEqual([{ service: 'enricher', problems: [expect.stringMatching(/^ANTHROPIC_API_KEY is required by enricher in production.*AI_PROVIDER=offline/)] }]);
    expect(configProblemsByService(envMap(loadCompose({ ...TEST_ENV, AI_PROVIDER: 'offline' }).services.migrate!), SERVICE_NAMES)).toEqual([]);
    expect(configProblemsByService(envMap(loadCompose({ ...TEST_ENV, ANTHROPIC_API_KEY: 'sk-ant-test' }).services.migrate!), SERVICE_NAMES)).toEqual([]);
    expect(loadConfig(envMap(loadCompose({ ...TEST_ENV, AI_PROVIDER: 'offline', ANTHROPIC_API_KEY: 'sk-ant-test' }).services.enricher!), 'enricher').aiProvider).toBe('offline');
  });

  it('migrate checks every service\'s configuration before it migrates', () => {
    const script = argv(compose.services.migrate!.command).join(' ');
    expect(script).toMatch(/^sh -c node dist\/tools\/main\.js config:check && node dist\/tools\/main\.js db:migrate && /);
  });

  it.each(Object.keys({ postgres: 0, kafka: 0, ingest: 0, enricher: 0, writer: 0, scheduler: 0 }))('%s has a health check', (name) => {
    expect(hasHealthcheck(compose.services[name])).toBe(true);
  });

  it.each([['ingest', 'INGEST_PORT'], ['enricher', 'ENRICHER_OPS_PORT'], ['writer', 'WRITER_OPS_PORT'], ['scheduler', 'SCHEDULER_OPS_PORT']])('%s checks GET /health/ready on its own port (%s) with node, the image having no curl', (name, portVariable) => {
    const service = compose.services[name]!;
    const port = envMap(service)[portVariable];
    expect(port).toMatch(/^\d+$/);
    const test = argv(service.healthcheck!.test);
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test[3]).toContain(`fetch('http://127.0.0.1:${port}/health/ready')`);
    expect(test[3]).toMatch(/process\.exit\(r\.ok \? 0 : 1\), \(\) => process\.exit\(1\)/);
  });

  it('passes the token keyring through: one key, or several with the active one', () => {
    expect(envMap(compose.services.writer!)).toMatchObject({ TOKEN_ENCRYPTION_KEY: TEST_ENV.TOKEN_ENCRYPTION_KEY, TOKEN_ENCRYPTION_KEYS: '', TOKEN_ENCRYPTION_ACTIVE_KEY: '' });
    const keys = `k2:${Buffer.alloc(32, 9).toString('base64')},legacy:${TEST_ENV.TOKEN_ENCRYPTION_KEY}`;
    const rotating = envMap(loadCompose({ ...TEST_ENV, TOKEN_ENCRYPTION_KEY: '', TOKEN_ENCRYPTION_KEYS: keys, TOKEN_ENCRYPTION_ACTIVE_KEY: 'k2' }).services.writer!);
    expect(rotating).toMatchObject({ TOKEN_ENCRYPTION_KEY: '', TOKEN_ENCRYPTION_KEYS: keys, TOKEN_ENCRYPTION_ACTIVE_KEY: 'k2' });
    // Without either, the services (not Compose) refuse to start, naming both variables.
    const none = envMap(loadCompose({ ...TEST_ENV, TOKEN_ENCRYPTION_KEY: '' }).services.writer!);
    expect(() => loadConfig(none, 'writer')).toThrow(/TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS is required by writer/);
  });

  it('passes ANTHROPIC_API_KEY through when it is set', () => {
    const env = envMap(loadCompose({ ...TEST_ENV, ANTHROPIC_API_KEY: 'sk-ant-test' }).services.enricher!);
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-test');
  });

  it('ingest publishes 3000 and the admin port on the host loopback only', () => {
    const ingest = compose.services.ingest!;
    const ports = (ingest.ports ?? []).map(String);
    expect(ports).toContain('3000:3000');
    expect(ports).toContain('127.0.0.1:3001:3001');
    expect(ports.filter((p) => /(^|:)3001(\/|$)/.test(p)).every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
    expect(hasHealthcheck(ingest)).toBe(true);
    for (const name of ['migrate', 'enricher', 'writer', 'scheduler']) expect(compose.services[name]!.ports).toBeUndefined();
  });

  it.each(COMPOSE_REQUIRED)('refuses to interpolate without %s', (secret) => {
    const env: Record<string, string | undefined> = { ...TEST_ENV };
    delete env[secret];
    expect(() => loadCompose(env)).toThrow(InterpolationError);
    expect(() => loadCompose(env)).toThrow(new RegExp(`required variable ${secret} is missing a value: .+`));
    // An empty value is no better than none.
    expect(() => loadCompose({ ...TEST_ENV, [secret]: '' })).toThrow(InterpolationError);
  });

  it('fails schema validation once broken (the check can fail)', () => {
    const broken = structuredClone(compose) as ComposeFile;
    broken.services.ingest!.ports = '3000:3000' as never;
    expect(schemaErrors(broken).join('\n')).toMatch(/\/services\/ingest\/ports/);
  });
});

describe('.env.example', () => {
  const text = readFileSync(ENV_EXAMPLE, 'utf8');
  const assignments = text.split(/\r?\n/).filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l));
  const example = Object.fromEntries(assignments.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

  it('lists every variable the platform reads (ENV_SPEC), once, each with a comment above', () => {
    expect(ENV_SPEC.map((s) => s.env).filter((name) => !(name in example))).toEqual([]);
    expect(assignments.length).toBe(Object.keys(example).length);
    const lines = text.split(/\r?\n/);
    for (const spec of ENV_SPEC) expect(lines[lines.indexOf(`${spec.env}=${example[spec.env]}`) - 1]).toMatch(/^# /);
  });

  it('lists every variable docker-compose.yml interpolates, so one .env file drives it', () => {
    const raw = readFileSync(COMPOSE_FILE, 'utf8');
    const interpolated = [...new Set([...raw.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!))];
    expect(interpolated.filter((name) => !(name in example))).toEqual([]);
  });

  it('holds no secret: every required setting is empty, so a copy left as it is fails', () => {
    for (const name of REQUIRED_IN_PRODUCTION) expect({ name, value: example[name] }).toEqual({ name, value: '' });
    for (const name of ['ANTHROPIC_API_KEY', 'METRICS_API_KEY', 'TOKEN_ENCRYPTION_KEYS', 'KAFKA_SASL_PASSWORD']) expect(example[name] ?? '').toBe('');
    expect(() => loadCompose(example)).toThrow(InterpolationError);
    expect(refusedBySomeService(example)).toBe(true);
  });

  it('once filled in with the required settings, starts the stack in production', () => {
    const filled = { ...example, ...MINIMAL_PRODUCTION_ENV };
    expect(example.NODE_ENV).toBe('production');
    expect(refusedBySomeService(filled)).toBe(false);
    expect(configProblemsByService(envMap(loadCompose(filled).services.migrate!), SERVICE_NAMES)).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(DOCKERFILE, 'utf8');
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const args = Object.fromEntries(
    instructions.filter((l) => /^ARG\s+\w+=/.test(l)).map((l) => l.replace(/^ARG\s+/, '').split('=', 2) as [string, string]),
  );
  const stages: Array<{ image: string; name?: string; body: string[] }> = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ image: from[1]!.replace(/\$\{(\w+)\}/g, (_m, n: string) => args[n] ?? ''), name: from[2], body: [] });
    else stages.at(-1)?.body.push(line);
  }
  const runtime = stages.at(-1)!;

  it('is multi-stage on the Node LTS that npm run test:lts tests and package.json allows', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toBe('node:26-trixie-slim');
    const ltsVersion = /NODE_LTS_VERSION="\$\{NODE_LTS_VERSION:-(\d+)\.(\d+)\.(\d+)\}"/.exec(readFileSync(join(ROOT, 'scripts', 'node-lts.sh'), 'utf8'));
    expect(ltsVersion?.[1]).toBe('26');
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines.split('||').map((r) => r.trim())).toEqual(['^20.11.0', `^${ltsVersion!.slice(1).join('.')}`]);
  });

  it('builds with npm ci and npm run build', () => {
    const build = stages.find((s) => s.name === 'build')!;
    expect(build.body).toContain('RUN npm ci');
    expect(build.body.some((l) => /^RUN npm run build\b/.test(l))).toBe(true);
  });

  it('ships production dependencies and dist/ only, as a non-root user, with an overridable CMD', () => {
    expect(runtime.body.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(runtime.body).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime.body.filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))).toEqual(['COPY package.json package-lock.json ./']);
    const user = runtime.body.filter((l) => /^USER\s/.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/);
    expect(runtime.body.some((l) => /^ENTRYPOINT\s/.test(l))).toBe(false);
    expect(runtime.body.filter((l) => /^CMD\s/.test(l))).toEqual(['CMD ["node", "dist/apps/ingest/main.js"]']);
  });

  it('.dockerignore keeps node_modules, dist and .env out of the build context', () => {
    const ignored = readFileSync(DOCKERIGNORE, 'utf8').split(/\r?\n/).map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.env', '.git']) expect(ignored).toContain(entry);
  });
});

// When the Compose CLI plugin is installed, the real thing has the last word.
const dockerCompose = (args: string[], env: Env) =>
  spawnSync('docker', ['compose', '-f', COMPOSE_FILE, ...args], { cwd: ROOT, env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 });
const composePluginPresent = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

(composePluginPresent ? describe : describe.skip)('docker compose config (plugin present)', () => {
  it('accepts the file with the secrets set', () => {
    const result = dockerCompose(['config', '-q'], { ...process.env, ...TEST_ENV });
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('refuses it without ADMIN_API_KEY', () => {
    // Empty rather than deleted: the shell environment wins over a developer's .env file.
    const result = dockerCompose(['config', '-q'], { ...process.env, ...TEST_ENV, ADMIN_API_KEY: '' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('ADMIN_API_KEY');
  });
});
