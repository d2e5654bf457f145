import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './services';

export interface ThrowawayPostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port> (trust auth), without a database. */
  serverUrl: string;
  /** Stops the server (fast: connections are closed) and starts it again `downMs` later: a real restart. */
  restart(downMs: number): Promise<void>;
  stop(): void;
}

export interface TlsPostgres extends ThrowawayPostgres {
  /** The CA that signed the server's certificate (issued for DNS:localhost only). */
  caFile: string;
}

function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().pop();
  return version ? join(root, version, 'bin') : undefined;
}

/**
 * Why a throwaway Postgres cannot be started here, if it cannot: it needs the
 * server binaries, openssl, and root to run them as the postgres user. The shared
 * server on 5432 is never touched.
 */
export function throwawayPostgresUnavailable(): string | undefined {
  if (!postgresBin()) return 'no PostgreSQL server binaries in /usr/lib/postgresql';
  if (process.getuid?.() !== 0) return 'not root (the throwaway cluster runs as the postgres user)';
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return 'no postgres user or no openssl';
  }
  return undefined;
}

/** A throwaway cluster with ssl=on on a free loopback port, its certificate from a fresh CA. */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const server = await startThrowawayPostgres({ tls: true });
  return { ...server, caFile: join(server.dir, 'ca.pem') };
}

/**
 * A cluster of its own on a free loopback port, in a temporary directory, for tests
 * that restart Postgres or need TLS (the fault suite, the TLS tests); the shared
 * server is never touched.
 */
export async function startThrowawayPostgres(options: { tls?: boolean; maxConnections?: number } = {}): Promise<ThrowawayPostgres & { dir: string }> {
  const bin = postgresBin()!;
  const dir = mkdtempSync(join(tmpdir(), options.tls ? 'pg-tls-' : 'pg-'));
  const data = join(dir, 'data');
  const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  const tls: string[] = [];
  if (options.tls) {
    sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pg test CA', '-keyout', 'ca.key', '-out', 'ca.pem', '-addext', 'basicConstraints=critical,CA:TRUE']);
    sh('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\n');
    sh('openssl', ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem']);
    for (const file of ['server.key', 'server.pem']) chownSync(join(dir, file), uid, gid);
    tls.push('ssl = on', `ssl_cert_file = '${join(dir, 'server.pem')}'`, `ssl_key_file = '${join(dir, 'server.key')}'`);
  }
  chownSync(dir, uid, gid);
  const asPostgres = (args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { cwd: dir, stdio: 'pipe' });
  asPostgres([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, ...tls, 'fsync = off', 'shared_buffers = 32MB', `max_connections = ${options.maxConnections ?? 20}`].join('\n') + '\n',
  );
  const pgCtl = (...args: string[]) => asPostgres([join(bin, 'pg_ctl'), '-D', data, ...args]);
  const start = () => pgCtl('-l', join(dir, 'postgres.log'), '-w', '-t', '30', 'start');
  start();
  return {
    dir,
    port,
    serverUrl: `postgres://postgres@127.0.0.1:${port}`,
    restart: async (downMs) => {
      pgCtl('-m', 'fast', '-w', 'stop');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      start();
    },
    stop: () => {
      try {
        pgCtl('-m', 'immediate', '-w', 'stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
