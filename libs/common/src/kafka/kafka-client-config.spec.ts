import { join } from 'node:path';
import { ConfigError, loadConfig, redactConfig } from '../config/load-config';
import { Logger } from '../logging/logger';
import { kafkaConnection, kafkaJsConfig } from './kafka-client-config';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'tls');
const fixture = (name: string) => join(FIXTURES, name);
const KEY = Buffer.alloc(32, 7).toString('base64');
const base = { HUBSPOT_CLIENT_SECRET: 'client-secret-1', ADMIN_API_KEY: 'admin-key-0123456789', TOKEN_ENCRYPTION_KEY: KEY };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env }, 'writer');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('Kafka client config', () => {
  it('is plaintext with the service client id and the default timeouts when nothing is set', () => {
    const config = loadConfig(base, 'writer');
    const kafkajs = kafkaJsConfig(kafkaConnection(config, 'hubspot-ai-writer'));
    expect(kafkajs).toMatchObject({ clientId: 'hubspot-ai-writer', brokers: ['127.0.0.1:9092'], ssl: false, connectionTimeout: 3000, requestTimeout: 30000 });
    expect(kafkajs.sasl).toBeUndefined();
  });

  it('builds TLS with the CA file, a client certificate, SCRAM and KAFKA_CLIENT_ID', () => {
    const config = loadConfig(
      {
        ...base,
        KAFKA_CLIENT_ID: 'acme-prod',
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: fixture('ca.pem'),
        KAFKA_SSL_CERT_FILE: fixture('client.pem'),
        KAFKA_SSL_KEY_FILE: fixture('client.key'),
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: 'pw-123456',
        KAFKA_CONNECTION_TIMEOUT_MS: '10000',
      },
      'writer',
    );
    const kafkajs = kafkaJsConfig(kafkaConnection(config, 'hubspot-ai-writer'));
    expect(kafkajs.clientId).toBe('acme-prod');
    expect(kafkajs.ssl).toEqual({ rejectUnauthorized: true, ca: [expect.stringContaining('BEGIN CERTIFICATE')], cert: expect.stringContaining('BEGIN CERTIFICATE'), key: expect.stringContaining('PRIVATE KEY') });
    expect(kafkajs.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'pw-123456' });
    expect(kafkajs.connectionTimeout).toBe(10000);
  });

  it("trusts Node's built-in CA list when TLS is on without a CA file (managed clusters)", () => {
    const config = loadConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'API_KEY', KAFKA_SASL_PASSWORD: 'API_SECRET' }, 'writer');
    expect(kafkaJsConfig(kafkaConnection(config, 'x')).ssl).toEqual({ rejectUnauthorized: true });
  });

  it('lists every TLS and SASL problem together, naming the variables', () => {
    const problems = problemsOf({
      KAFKA_SSL: 'yes',
      KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem',
      KAFKA_SSL_CERT_FILE: fixture('client.pem'),
      KAFKA_SASL_MECHANISM: 'gssapi',
      KAFKA_CONNECTION_TIMEOUT_MS: 'soon',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'KAFKA_SSL must be true or false, got "yes"',
        'KAFKA_SSL_CA_FILE cannot be read (ENOENT): /nonexistent/ca.pem',
        "KAFKA_SSL_CERT_FILE needs KAFKA_SSL_KEY_FILE (the client certificate's private key)",
        'KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512',
        'KAFKA_CONNECTION_TIMEOUT_MS must be an integer, got "soon"',
      ]),
    );
  });

  it('refuses files given without KAFKA_SSL=true, a key of another certificate, and key material that is not what it should be', () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: fixture('ca.pem') })).toEqual(['KAFKA_SSL_CA_FILE is set but KAFKA_SSL is false: set KAFKA_SSL=true to connect with TLS']);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: fixture('client.pem'), KAFKA_SSL_KEY_FILE: fixture('other.key') })).toEqual([
      `KAFKA_SSL_KEY_FILE is not the private key of KAFKA_SSL_CERT_FILE (${fixture('other.key')}, ${fixture('client.pem')})`,
    ]);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: fixture('client.key') })).toEqual([`KAFKA_SSL_CA_FILE holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${fixture('client.key')}`]);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: fixture('client.pem'), KAFKA_SSL_KEY_FILE: fixture('encrypted.key') })).toEqual([
      `KAFKA_SSL_KEY_FILE holds an encrypted private key; decrypt it (openssl pkcs8 -topk8 -nocrypt), a passphrase is not supported: ${fixture('encrypted.key')}`,
    ]);
  });

  it('refuses a SASL mechanism without credentials, credentials without a mechanism, and PLAIN without TLS', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc' })).toEqual(['KAFKA_SASL_MECHANISM=scram-sha-256 needs KAFKA_SASL_PASSWORD']);
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' })).toEqual([
      'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are set but KAFKA_SASL_MECHANISM is not: one of plain, scram-sha-256, scram-sha-512',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' })).toEqual([
      'KAFKA_SASL_MECHANISM=plain sends the password in clear text: it needs KAFKA_SSL=true (or use scram-sha-256/512)',
    ]);
    // SCRAM never sends the password itself: allowed over plaintext (a private network, the test broker).
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' })).toEqual([]);
  });

  it('never logs the SASL password or the key material', () => {
    const config = loadConfig(
      { ...base, KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: fixture('client.pem'), KAFKA_SSL_KEY_FILE: fixture('client.key'), KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'hunter2-secret' },
      'writer',
    );
    const lines: string[] = [];
    new Logger('info', {}, (line) => lines.push(line)).info('configuration loaded', { config: redactConfig(config) });
    expect(lines[0]).not.toContain('hunter2-secret');
    expect(lines[0]).not.toContain('PRIVATE KEY');
    expect(lines[0]).toContain(fixture('client.pem'));
    expect(JSON.stringify(config)).not.toContain('PRIVATE KEY');
  });
});
