import { once } from 'node:events';
import { createTestDatabase, type TestDatabase } from './support/database';
import { secureListener, uniquePrefix } from './support/kafka';
import { testEnv } from './support/platform';
import { freePort, startService, stopService, type RunningService } from './support/services';

/**
 * A service that cannot use Kafka as configured exits non-zero at boot, and its one
 * error line says what is wrong (docs/decisions/0024-one-door-to-kafka.md).
 */
describe('services at boot with Kafka misconfigured', () => {
  let db: TestDatabase;
  const started: RunningService[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('kafkaboot');
  });
  afterAll(async () => {
    await Promise.all(started.map((service) => stopService(service)));
    await db?.drop();
  });

  async function exitOf(env: Record<string, string>): Promise<{ code: number; output: string }> {
    const writer = startService('writer', testEnv(db.url, uniquePrefix('kafkaboot'), env));
    started.push(writer);
    const [code] = (await once(writer.process, 'exit')) as [number];
    return { code, output: writer.output.join('\n') };
  }

  it('exits 1 naming the brokers and the cause when no broker answers', async () => {
    const port = await freePort();
    const { code, output } = await exitOf({ KAFKA_BROKERS: `127.0.0.1:${port}` });
    expect(code).toBe(1);
    expect(output).toContain(`"msg":"failed to start: Kafka unreachable at 127.0.0.1:${port}: ECONNREFUSED`);
    expect(output).toContain('"stack":"KafkaConnectError: Kafka unreachable');
  });

  it('exits 78 listing every bad TLS/SASL setting before connecting anywhere', async () => {
    const { code, output } = await exitOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem', KAFKA_SASL_MECHANISM: 'scram-sha-256', DATABASE_URL: `${db.url}?sslmode=preferred` });
    expect(code).toBe(78);
    expect(output).toContain('KAFKA_SSL_CA_FILE cannot be read (ENOENT): /nonexistent/ca.pem');
    expect(output).toContain('KAFKA_SASL_MECHANISM=scram-sha-256 needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    expect(output).toContain('DATABASE_URL sslmode=preferred is not one of disable, require, verify-ca, verify-full');
  });

  const found = secureListener();
  if ('skipped' in found) console.warn(`kafka-boot.e2e-spec: SASL case skipped, ${found.skipped}`);
  ('listener' in found ? it : it.skip)('exits 1 naming the user and mechanism when the brokers refuse the credentials', async () => {
    const listener = 'listener' in found ? found.listener : undefined!;
    const { code, output } = await exitOf({
      KAFKA_BROKERS: `${listener.host}:${listener.saslSslPort}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: listener.caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: listener.username,
      KAFKA_SASL_PASSWORD: 'not-the-password',
    });
    expect(code).toBe(1);
    expect(output).toContain(`failed to start: Kafka SASL authentication failed for user \\"${listener.username}\\" (SCRAM-SHA-512) at ${listener.host}:${listener.saslSslPort}`);
    expect(output).not.toContain('not-the-password');
  });
});
