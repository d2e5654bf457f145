import { join } from 'node:path';
import { POSTGRES_URL } from '../../../../test/support/database';
import { startTlsPostgres, throwawayPostgresUnavailable, type TlsPostgres } from '../../../../test/support/throwaway-postgres';
import { createDataSource } from './data-source';

const FIXTURE_CA = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'tls', 'ca.pem');

/** Connects with DATABASE_URL as the services do; resolves with whether the session is encrypted. */
async function sessionIsEncrypted(url: string): Promise<boolean> {
  const dataSource = createDataSource(url, 'tls-test', 1);
  await dataSource.initialize();
  try {
    const [row] = (await dataSource.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')) as Array<{ ssl: boolean }>;
    return row!.ssl;
  } finally {
    await dataSource.destroy();
  }
}

/** The error a connection fails with, with the code Node's TLS gives it. */
async function failureOf(url: string): Promise<{ message: string; code?: string }> {
  const error = (await sessionIsEncrypted(url).then(() => undefined, (e: unknown) => e)) as (Error & { code?: string }) | undefined;
  if (!error) throw new Error(`expected ${url} to fail`);
  return { message: error.message, code: error.code };
}

describe('Postgres TLS from DATABASE_URL (real servers)', () => {
  it('fails sslmode=require against a server without TLS, saying so', async () => {
    expect(await failureOf(`${POSTGRES_URL}/postgres?sslmode=require`)).toMatchObject({ message: 'The server does not support SSL connections' });
  });

  const unavailable = throwawayPostgresUnavailable();
  if (unavailable) console.warn(`postgres-tls.int-spec: TLS server cases skipped, ${unavailable}`);
  (unavailable ? describe.skip : describe)('against a throwaway server with ssl=on (certificate for DNS:localhost)', () => {
    let server: TlsPostgres;
    const at = (host: string, query: string) => `postgres://postgres@${host}:${server.port}/postgres?${query}`;
    beforeAll(async () => {
      server = await startTlsPostgres();
    }, 60_000);
    afterAll(() => server?.stop());

    it('encrypts without verifying with require, and without TLS stays plaintext', async () => {
      expect(await sessionIsEncrypted(at('127.0.0.1', 'sslmode=require'))).toBe(true);
      expect(await sessionIsEncrypted(at('127.0.0.1', 'sslmode=disable'))).toBe(false);
    });

    it('verifies the chain but not the host with verify-ca, both with verify-full', async () => {
      expect(await sessionIsEncrypted(at('127.0.0.1', `sslmode=verify-ca&sslrootcert=${server.caFile}`))).toBe(true);
      expect(await failureOf(at('127.0.0.1', `sslmode=verify-full&sslrootcert=${server.caFile}`))).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect(await sessionIsEncrypted(at('localhost', `sslmode=verify-full&sslrootcert=${server.caFile}`))).toBe(true);
    });

    it('refuses a certificate that the given CA did not sign', async () => {
      const failure = await failureOf(at('localhost', `sslmode=verify-full&sslrootcert=${FIXTURE_CA}`));
      expect(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN']).toContain(failure.code);
      // Without sslrootcert, verify-full trusts only Node's built-in CAs.
      expect((await failureOf(at('localhost', 'sslmode=verify-full'))).code).toBeDefined();
    });
  });
});
