import { ConfigError, loadConfig, redactConfig } from './load-config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const valid = { HUBSPOT_CLIENT_SECRET: 'client-secret-1', ADMIN_API_KEY: 'admin-key-0123456789', TOKEN_ENCRYPTION_KEY: KEY };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(valid, 'ingest');
    expect(config).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/hubspot_ai',
      kafkaBrokers: ['127.0.0.1:9092'],
      kafkaTopicPartitions: 12,
      hubspotApiBaseUrl: 'https://api.hubapi.com',
      ingestPort: 3000,
      adminPort: 3001,
      adminHost: '127.0.0.1',
    });
    expect(config.tokenEncryptionKey).toEqual(Buffer.alloc(32, 7));
    expect(config.anthropicApiKey).toBeUndefined();
  });

  it('lists every missing or invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ KAFKA_BROKERS: 'nope', INGEST_PORT: '70000', TOKEN_ENCRYPTION_KEY: 'abc', HUBSPOT_API_BASE_URL: 'https://api.hubapi.com/', LOG_LEVEL: 'loud' }, 'ingest');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['KAFKA_BROKERS', 'INGEST_PORT', 'TOKEN_ENCRYPTION_KEY', 'HUBSPOT_API_BASE_URL', 'LOG_LEVEL', 'HUBSPOT_CLIENT_SECRET', 'ADMIN_API_KEY']) {
      expect(problems).toContain(name);
    }
    expect((error as ConfigError).problems).toHaveLength(7);
  });

  it('requires per service only what that service uses', () => {
    expect(() => loadConfig({}, 'scheduler')).not.toThrow();
    expect(() => loadConfig({}, 'writer')).toThrow(/TOKEN_ENCRYPTION_KEY/);
  });

  it('accepts a hex key', () => {
    expect(loadConfig({ ...valid, TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) }, 'ingest').tokenEncryptionKey).toEqual(Buffer.alloc(32, 0xab));
  });

  it('never lets a secret into the loggable copy', () => {
    const config = loadConfig({ ...valid, ANTHROPIC_API_KEY: 'sk-ant-very-secret', DATABASE_URL: 'postgres://app:hunter2@db:5432/x' }, 'ingest');
    const logged = JSON.stringify(redactConfig(config));
    for (const secret of ['sk-ant-very-secret', 'client-secret-1', 'admin-key-0123456789', KEY, 'hunter2']) expect(logged).not.toContain(secret);
    expect(logged).toContain('postgres://app:***@db:5432/x');
  });

  it('refuses an ops listener on a non-loopback interface without a metrics or admin key, and allows it on loopback', () => {
    const writer = { TOKEN_ENCRYPTION_KEY: KEY };
    expect(loadConfig(writer, 'writer')).toMatchObject({ opsHost: '127.0.0.1', writerOpsPort: 3012, enricherOpsPort: 3011, schedulerOpsPort: 3013 });
    expect(() => loadConfig({ ...writer, OPS_HOST: '0.0.0.0' }, 'writer')).toThrow(/METRICS_API_KEY is required by writer when OPS_HOST \(0\.0\.0\.0\)/);
    expect(loadConfig({ ...writer, OPS_HOST: '0.0.0.0', METRICS_API_KEY: 'scrape-key-0123456789' }, 'writer').opsHost).toBe('0.0.0.0');
    expect(loadConfig({ OPS_HOST: '::1' }, 'scheduler').opsHost).toBe('::1');
  });
});
