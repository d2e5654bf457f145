import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type PemKind = 'certificate' | 'private key';

/**
 * A PEM file read when the configuration is loaded, so a missing or malformed file
 * stops the service at boot instead of at its first connection. The text is not
 * enumerable: a logged or serialised config shows the path, never the key material.
 */
export class PemFile {
  declare readonly pem: string;

  constructor(
    readonly path: string,
    pem: string,
  ) {
    Object.defineProperty(this, 'pem', { value: pem, enumerable: false });
  }
}

export class PemFileError extends Error {}

/** Reads and checks a certificate (bundle) or an unencrypted private key; the error says what is wrong with the file. */
export function readPemFile(path: string, kind: PemKind): PemFile {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PemFileError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${path}`);
  }
  const problem = kind === 'certificate' ? certificateProblem(pem) : privateKeyProblem(pem);
  if (problem) throw new PemFileError(`${problem}: ${path}`);
  return new PemFile(path, pem);
}

function certificateProblem(pem: string): string | undefined {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  try {
    new X509Certificate(pem);
    return undefined;
  } catch {
    return 'holds a certificate that cannot be parsed';
  }
}

function privateKeyProblem(pem: string): string | undefined {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return 'holds no PEM private key (-----BEGIN PRIVATE KEY-----)';
  if (pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || pem.includes('Proc-Type: 4,ENCRYPTED')) {
    return 'holds an encrypted private key; decrypt it (openssl pkcs8 -topk8 -nocrypt), a passphrase is not supported';
  }
  try {
    createPrivateKey(pem);
    return undefined;
  } catch {
    return 'holds a private key that cannot be parsed';
  }
}

/** Whether the certificate's public key is the private key's (a client certificate and its key). */
export function keyMatchesCertificate(certificate: PemFile, key: PemFile): boolean {
  try {
    return new X509Certificate(certificate.pem).checkPrivateKey(createPrivateKey(key.pem));
  } catch {
    return false;
  }
}
