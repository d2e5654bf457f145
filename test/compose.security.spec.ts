/**
 * docker-compose.yml and the admin listener (issue 14, item 6): inside the container
 * the admin API must listen on every interface for Docker to publish it, so other
 * containers on the compose network reach it; the host publishes it on loopback
 * only, and every route there, /metrics included, needs a key (METRICS_API_KEY for
 * scrapers, passed through by compose).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { interpolate, type Env } from './support/compose-interpolate';

const COMPOSE_FILE = join(__dirname, '..', 'docker-compose.yml');
const ENV: Env = {
  HUBSPOT_CLIENT_SECRET: 'test-hubspot-client-secret',
  ADMIN_API_KEY: 'test-admin-api-key-0123456789abcdef',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  PUBLIC_BASE_URL: 'https://hooks.example.com',
};

type Service = { environment?: Record<string, string | null>; ports?: Array<string | number> };
const load = (env: Env) => interpolate(YAML.parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }), env) as { services: Record<string, Service> };

describe('compose: the admin listener', () => {
  it('publishes the admin port on the host loopback only, the webhook port wherever the host listens', () => {
    const ports = (load(ENV).services.ingest!.ports ?? []).map(String);
    const admin = ports.filter((p) => /(^|:)3001(\/tcp)?$/.test(p));
    expect(admin.length).toBeGreaterThan(0);
    for (const p of admin) expect(p).toMatch(/^127\.0\.0\.1:/);
    for (const [name, service] of Object.entries(load(ENV).services)) if (name !== 'ingest') expect(service.ports).toBeUndefined();
  });

  it('passes METRICS_API_KEY to ingest (scrapers inside the compose network present it)', () => {
    expect(load(ENV).services.ingest!.environment).toHaveProperty('METRICS_API_KEY', '');
    expect(load({ ...ENV, METRICS_API_KEY: 'metrics-key-0123456789' }).services.ingest!.environment).toHaveProperty('METRICS_API_KEY', 'metrics-key-0123456789');
  });
});
