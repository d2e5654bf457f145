import type { ConnectionOptions } from 'node:tls';
import { PemFileError, readPemFile } from '../config/pem-file';

/**
 * TLS to Postgres from DATABASE_URL's libpq parameters, with libpq's meaning:
 *   sslmode=disable (or none)  plaintext
 *   sslmode=require            encrypted, the server's certificate not verified
 *                              (verified against sslrootcert when one is given, as libpq does)
 *   sslmode=verify-ca          encrypted, the certificate verified against sslrootcert (required)
 *   sslmode=verify-full        encrypted, the certificate verified (sslrootcert, or Node's
 *                              built-in CA list) and the host name checked
 *   sslcert= and sslkey=       a client certificate and its key (PEM)
 * node-postgres reads these parameters itself but gives require and verify-ca the
 * meaning of verify-full and takes an unknown sslmode for TLS; so they are taken out
 * of the URL here and handed to pg as explicit options. prefer and allow (try TLS,
 * fall back to plaintext) have no equivalent in node-postgres and are refused.
 */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** What is handed to pg's `ssl` (tls.connect options). */
export type PostgresTls = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'checkServerIdentity'>;

const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'] as const;

export interface PostgresConnectionOptions {
  /** DATABASE_URL without its TLS parameters. */
  url: string;
  sslMode: SslMode;
  ssl: false | PostgresTls;
}

export class PostgresTlsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'PostgresTlsError';
  }
}

/** The connection options, or every problem of DATABASE_URL's TLS parameters (files are read here). */
export function postgresConnectionOptions(databaseUrl: string): PostgresConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    throw new PostgresTlsError(['DATABASE_URL is not a URL']);
  }
  const params = parsed.searchParams;
  const problems: string[] = [];
  if (params.has('ssl')) problems.push('DATABASE_URL ssl= is not supported: use sslmode=require, verify-ca or verify-full');
  const mode = params.get('sslmode') ?? 'disable';
  if (mode === 'prefer' || mode === 'allow') {
    problems.push(`DATABASE_URL sslmode=${mode} is not supported (node-postgres never falls back to plaintext): use disable, require, verify-ca or verify-full`);
  } else if (!(SSL_MODES as ReadonlyArray<string>).includes(mode)) {
    problems.push(`DATABASE_URL sslmode=${mode} is not one of ${SSL_MODES.join(', ')}`);
  }
  const read = (param: 'sslrootcert' | 'sslcert' | 'sslkey') => {
    const path = params.get(param);
    if (!path) return undefined;
    try {
      return readPemFile(path, param === 'sslkey' ? 'private key' : 'certificate').pem;
    } catch (error) {
      if (!(error instanceof PemFileError)) throw error;
      problems.push(`DATABASE_URL ${param} ${error.message}`);
      return undefined;
    }
  };
  const ca = read('sslrootcert');
  const cert = read('sslcert');
  const key = read('sslkey');
  const tlsParams = TLS_PARAMS.filter((p) => p !== 'sslmode' && params.has(p));
  if (mode === 'disable' && tlsParams.length > 0) problems.push(`DATABASE_URL ${tlsParams.join(', ')} ${tlsParams.length > 1 ? 'are' : 'is'} set but sslmode is ${params.has('sslmode') ? 'disable' : 'not'}: set sslmode=verify-full (or require, verify-ca)`);
  if (mode === 'verify-ca' && !params.get('sslrootcert')) problems.push('DATABASE_URL sslmode=verify-ca needs sslrootcert=<CA file> (or use verify-full with the built-in CA list)');
  if (params.has('sslcert') !== params.has('sslkey')) problems.push(`DATABASE_URL ${params.has('sslcert') ? 'sslcert needs sslkey' : 'sslkey needs sslcert'}`);
  if (problems.length > 0) throw new PostgresTlsError(problems);

  for (const param of TLS_PARAMS) params.delete(param);
  const url = TLS_PARAMS.some((p) => new URL(databaseUrl).searchParams.has(p)) ? parsed.toString() : databaseUrl;
  return { url, sslMode: mode as SslMode, ssl: tlsOptions(mode as SslMode, { ca, cert, key }) };
}

function tlsOptions(mode: SslMode, files: { ca?: string; cert?: string; key?: string }): false | PostgresTls {
  if (mode === 'disable') return false;
  const material = { ...(files.ca ? { ca: files.ca } : {}), ...(files.cert && files.key ? { cert: files.cert, key: files.key } : {}) };
  // require with a CA verifies the chain like verify-ca; without one it only encrypts.
  if (mode === 'require' && !files.ca) return { ...material, rejectUnauthorized: false };
  if (mode === 'require' || mode === 'verify-ca') return { ...material, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...material, rejectUnauthorized: true };
}

/** DATABASE_URL's TLS problems, for the config check at boot. */
export function postgresTlsProblems(databaseUrl: string): string[] {
  try {
    postgresConnectionOptions(databaseUrl);
    return [];
  } catch (error) {
    if (error instanceof PostgresTlsError) return error.problems;
    throw error;
  }
}
