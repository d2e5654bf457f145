import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load-config';
import { postgresConnectionOptions, postgresTlsProblems } from './postgres-tls';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'tls');
const CA = join(FIXTURES, 'ca.pem');
const DB = 'postgres://app:pw@db.internal:5432/hubspot_ai';

describe('Postgres TLS from DATABASE_URL', () => {
  it('is plaintext without sslmode and with sslmode=disable, the URL untouched', () => {
    expect(postgresConnectionOptions(DB)).toEqual({ url: DB, sslMode: 'disable', ssl: false });
    expect(postgresConnectionOptions(`${DB}?sslmode=disable`)).toMatchObject({ url: 'postgres://app:pw@db.internal:5432/hubspot_ai', ssl: false });
  });

  it('gives each sslmode its libpq meaning and takes the TLS parameters out of the URL pg reads', () => {
    expect(postgresConnectionOptions(`${DB}?sslmode=require&application_name=x`)).toEqual({ url: `${DB}?application_name=x`, sslMode: 'require', ssl: { rejectUnauthorized: false } });
    const verifyCa = postgresConnectionOptions(`${DB}?sslmode=verify-ca&sslrootcert=${CA}`).ssl;
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(verifyCa && verifyCa.checkServerIdentity?.('db.internal', {} as never)).toBeUndefined();
    const requireWithCa = postgresConnectionOptions(`${DB}?sslmode=require&sslrootcert=${CA}`).ssl;
    expect(requireWithCa).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE') });
    const full = postgresConnectionOptions(`${DB}?sslmode=verify-full`);
    expect(full.ssl).toEqual({ rejectUnauthorized: true });
  });

  it('refuses an unknown sslmode, prefer, a CA without TLS, verify-ca without a CA and an unreadable CA file', () => {
    expect(postgresTlsProblems(`${DB}?sslmode=verify_full`)).toEqual(['DATABASE_URL sslmode=verify_full is not one of disable, require, verify-ca, verify-full']);
    expect(postgresTlsProblems(`${DB}?sslmode=prefer`)).toEqual([
      'DATABASE_URL sslmode=prefer is not supported (node-postgres never falls back to plaintext): use disable, require, verify-ca or verify-full',
    ]);
    expect(postgresTlsProblems(`${DB}?sslrootcert=${CA}`)).toEqual(['DATABASE_URL sslrootcert is set but sslmode is not: set sslmode=verify-full (or require, verify-ca)']);
    expect(postgresTlsProblems(`${DB}?sslmode=verify-ca`)).toEqual(['DATABASE_URL sslmode=verify-ca needs sslrootcert=<CA file> (or use verify-full with the built-in CA list)']);
    expect(postgresTlsProblems(`${DB}?sslmode=verify-full&sslrootcert=/nope/ca.pem`)).toEqual(['DATABASE_URL sslrootcert cannot be read (ENOENT): /nope/ca.pem']);
  });

  it('is checked with the rest of the configuration at boot', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: `${DB}?sslmode=on`, KAFKA_SSL: 'maybe' }, 'scheduler');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(expect.arrayContaining(['DATABASE_URL sslmode=on is not one of disable, require, verify-ca, verify-full', 'KAFKA_SSL must be true or false, got "maybe"']));
  });
});
