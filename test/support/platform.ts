import { randomBytes } from 'node:crypto';
import { loadConfig, type AppConfig, type ServiceName } from '@app/common';
import { KAFKA_BROKERS } from './kafka';

export const TEST_CLIENT_SECRET = 'test-client-secret-0000';
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';
export const TEST_TOKEN_KEY = randomBytes(32).toString('base64');

/** The environment a service gets in tests: real Postgres and Kafka, isolated names. */
export function testEnv(databaseUrl: string, topicPrefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: KAFKA_BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
    OUTBOX_POLL_MS: '10',
    RETRY_BASE_DELAY_MS: '20',
    LOG_LEVEL: 'warn',
    // Every test client is 127.0.0.1: the per-source limit on failed authentications is
    // off unless a test sets it (apps/ingest/src/edge/edge.security.int-spec.ts does).
    EDGE_AUTH_FAILURES_PER_MINUTE: '0',
    ...extra,
  };
}

export function testConfig(service: ServiceName, databaseUrl: string, topicPrefix: string, extra: Record<string, string> = {}): AppConfig {
  return loadConfig(testEnv(databaseUrl, topicPrefix, extra), service);
}
