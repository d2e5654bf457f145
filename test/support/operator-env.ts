import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES_URL } from './database';
import { KAFKA_BROKERS, uniquePrefix } from './kafka';

const ROOT = join(__dirname, '..', '..');

/** The settings `.env.example` lists, with their values as written there (empty for the required ones). */
export function envExample(): Record<string, string> {
  const lines = readFileSync(join(ROOT, '.env.example'), 'utf8').split(/\r?\n/).filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l));
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/**
 * `.env.example` as an operator fills it in: the required secrets, PUBLIC_BASE_URL,
 * AI_PROVIDER=offline on purpose, and their own broker and database (the local ones:
 * a fresh `database` and a topic prefix named after `prefix`). NODE_ENV stays as
 * `.env.example` says: production.
 */
export function operatorEnv(database: string, prefix: string): Record<string, string> {
  return {
    ...envExample(),
    HUBSPOT_CLIENT_SECRET: randomBytes(24).toString('hex'),
    ADMIN_API_KEY: randomBytes(24).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PUBLIC_BASE_URL: 'https://hooks.example.test',
    AI_PROVIDER: 'offline',
    DATABASE_URL: `${POSTGRES_URL}/${database}`,
    KAFKA_BROKERS: KAFKA_BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: uniquePrefix(prefix),
    KAFKA_TOPIC_PARTITIONS: '2',
  };
}
