import type { KafkaConnection } from './kafka-client-config';

/**
 * Why a Kafka client could not connect, as an operator needs to read it at boot:
 *   unreachable  no broker answered (down, wrong address, firewall): may heal by waiting
 *   tls          the TLS handshake failed (untrusted certificate, wrong host name, not a TLS port)
 *   sasl         the brokers refused the credentials or the mechanism
 *   other        anything else kafkajs reported
 * tls and sasl never heal by waiting: the configuration is wrong.
 */
export type KafkaFailureKind = 'unreachable' | 'tls' | 'sasl' | 'other';

export class KafkaConnectError extends Error {
  constructor(
    message: string,
    readonly kind: KafkaFailureKind,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'KafkaConnectError';
  }
}

/** Node's codes for a certificate the client does not trust. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE']);

/** Kafka's protocol error types for a refused SASL exchange. */
const SASL_REFUSALS = new Set(['SASL_AUTHENTICATION_FAILED', 'UNSUPPORTED_SASL_MECHANISM', 'ILLEGAL_SASL_STATE']);

interface ErrorLike {
  name?: string;
  code?: unknown;
  type?: unknown;
  broker?: unknown;
  message?: string;
  cause?: unknown;
}

/** The innermost error of a chain (kafkajs wraps the failure of each retry in KafkaJSNumberOfRetriesExceeded). */
function rootOf(error: unknown): ErrorLike {
  let current = error as ErrorLike;
  for (let depth = 0; depth < 5 && current?.cause && typeof current.cause === 'object'; depth++) current = current.cause as ErrorLike;
  return current ?? {};
}

/** Classifies a connection failure by kafkajs's error class and Node's error code, and says what to check. */
export function describeKafkaFailure(error: unknown, connection: Pick<KafkaConnection, 'brokers' | 'tls' | 'sasl'>): { kind: KafkaFailureKind; message: string } {
  const root = rootOf(error);
  const at = typeof root.broker === 'string' ? root.broker : connection.brokers.join(',');
  const code = typeof root.code === 'string' ? root.code : undefined;
  const detail = root.message ?? String(error);
  if (root.name === 'KafkaJSSASLAuthenticationError' || (typeof root.type === 'string' && SASL_REFUSALS.has(root.type))) {
    const sasl = connection.sasl;
    const who = sasl ? `user "${sasl.username}" (${sasl.mechanism.toUpperCase()})` : 'this client';
    return { kind: 'sasl', message: `Kafka SASL authentication failed for ${who} at ${at}: ${detail}; check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD` };
  }
  if (code && UNTRUSTED_CERTIFICATE.has(code)) {
    const against = connection.tls?.ca ? `KAFKA_SSL_CA_FILE=${connection.tls.ca.path}` : "Node's built-in CA list (KAFKA_SSL_CA_FILE is not set)";
    return { kind: 'tls', message: `Kafka TLS: the certificate of ${at} is not trusted (${code}), verified against ${against}` };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { kind: 'tls', message: `Kafka TLS: the certificate of ${at} does not name that host (${code}); use the host name the certificate was issued for in KAFKA_BROKERS` };
  }
  if (code && (code.startsWith('ERR_SSL_') || code === 'EPROTO')) {
    // (OpenSSL's own text adds nothing to its code.)
    const hint = connection.tls ? 'does the listener require a client certificate (KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE)? is it a TLS port?' : 'KAFKA_SSL is false';
    return { kind: 'tls', message: `Kafka TLS handshake with ${at} failed (${code}): ${hint}` };
  }
  if ((code && UNREACHABLE.has(code)) || root.name === 'KafkaJSConnectionError' || root.name === 'KafkaJSConnectionClosedError') {
    // A TLS listener answered by a plaintext client closes the connection without a word.
    const hint =
      !connection.tls && root.name === 'KafkaJSConnectionClosedError'
        ? ' (a TLS listener? set KAFKA_SSL=true)'
        : connection.tls && code === 'ECONNRESET'
          ? ' (a plaintext listener? check the port and KAFKA_SSL)'
          : '';
    return { kind: 'unreachable', message: `Kafka unreachable at ${at}: ${code ? `${code} ` : ''}${detail}${hint}` };
  }
  const type = typeof root.type === 'string' ? ` (${root.type})` : '';
  return { kind: 'other', message: `Kafka at ${at} failed${type}: ${detail}` };
}
