import type { KafkaConfig } from 'kafkajs';
import { SASL_MECHANISMS, type AppConfig, type SaslMechanism } from '../config/app-config';
import { keyMatchesCertificate, type PemFile } from '../config/pem-file';

/**
 * How to reach the Kafka cluster: the one description every client of the platform
 * is built from (the bus and, through it, the writer's consumer, the redriver, the
 * outbox relay and the tools). See docs/decisions/0024-one-door-to-kafka.md.
 */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /**
   * Absent: plaintext. Present: TLS, the brokers' certificates verified against `ca`,
   * or Node's built-in CA list without it; `cert` and `key` authenticate this client.
   */
  tls?: { ca?: PemFile; cert?: PemFile; key?: PemFile };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** Establishing a connection (TCP and TLS handshake). */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Consumers' session (default 6 s, the broker's minimum; docs/decisions/0026). */
  sessionTimeoutMs?: number;
}

export type KafkaSettings = Pick<
  AppConfig,
  | 'kafkaBrokers'
  | 'kafkaClientId'
  | 'kafkaSsl'
  | 'kafkaSslCaFile'
  | 'kafkaSslCertFile'
  | 'kafkaSslKeyFile'
  | 'kafkaSaslMechanism'
  | 'kafkaSaslUsername'
  | 'kafkaSaslPassword'
  | 'kafkaConnectionTimeoutMs'
  | 'kafkaRequestTimeoutMs'
  | 'kafkaSessionTimeoutMs'
>;

/** kafkajs's own default is 1 s: short for a TLS handshake with a managed cluster across a region. */
export const DEFAULT_KAFKA_CONNECTION_TIMEOUT_MS = 3_000;
const DEFAULT_KAFKA_REQUEST_TIMEOUT_MS = 30_000;

/** The connection of a service (`clientId`, unless KAFKA_CLIENT_ID names one) from a validated config. */
export function kafkaConnection(config: KafkaSettings, clientId: string): KafkaConnection {
  const { kafkaSaslMechanism: mechanism, kafkaSaslUsername: username, kafkaSaslPassword: password } = config;
  return {
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId ?? clientId,
    ...(config.kafkaSsl ? { tls: { ca: config.kafkaSslCaFile, cert: config.kafkaSslCertFile, key: config.kafkaSslKeyFile } } : {}),
    ...(mechanism && username !== undefined && password !== undefined ? { sasl: { mechanism, username, password } } : {}),
    connectionTimeoutMs: config.kafkaConnectionTimeoutMs,
    requestTimeoutMs: config.kafkaRequestTimeoutMs,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
  };
}

/** The kafkajs client settings of a connection (logging is the bus's to add). */
export function kafkaJsConfig(connection: KafkaConnection): KafkaConfig {
  const { tls, sasl } = connection;
  return {
    clientId: connection.clientId,
    brokers: connection.brokers,
    ssl: tls
      ? {
          rejectUnauthorized: true,
          ...(tls.ca ? { ca: [tls.ca.pem] } : {}),
          ...(tls.cert && tls.key ? { cert: tls.cert.pem, key: tls.key.pem } : {}),
        }
      : false,
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as KafkaConfig['sasl'] } : {}),
    connectionTimeout: connection.connectionTimeoutMs ?? DEFAULT_KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeout: connection.requestTimeoutMs ?? DEFAULT_KAFKA_REQUEST_TIMEOUT_MS,
    retry: { retries: 5, initialRetryTime: 200 },
  };
}

/**
 * The Kafka settings that do not fit together, each naming its variables. Variables
 * that failed to parse were reported already and are left out here.
 */
export function kafkaConfigProblems(config: Partial<KafkaSettings>, env: NodeJS.ProcessEnv): string[] {
  const given = (name: string): boolean => Boolean(env[name]?.trim());
  const problems: string[] = [];
  const files = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'].filter(given);
  // kafkaSsl is undefined only when KAFKA_SSL failed to parse (it has a default).
  if (config.kafkaSsl === false && files.length > 0) {
    problems.push(`${files.join(', ')} ${files.length > 1 ? 'are' : 'is'} set but KAFKA_SSL is false: set KAFKA_SSL=true to connect with TLS`);
  }
  const { kafkaSslCertFile: cert, kafkaSslKeyFile: key } = config;
  if (given('KAFKA_SSL_CERT_FILE') !== given('KAFKA_SSL_KEY_FILE')) {
    problems.push(given('KAFKA_SSL_CERT_FILE') ? 'KAFKA_SSL_CERT_FILE needs KAFKA_SSL_KEY_FILE (the client certificate\'s private key)' : 'KAFKA_SSL_KEY_FILE needs KAFKA_SSL_CERT_FILE (the client certificate)');
  } else if (cert && key && !keyMatchesCertificate(cert, key)) {
    problems.push(`KAFKA_SSL_KEY_FILE is not the private key of KAFKA_SSL_CERT_FILE (${key.path}, ${cert.path})`);
  }

  const mechanismGiven = given('KAFKA_SASL_MECHANISM');
  const credentials = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'].filter(given);
  if (mechanismGiven && config.kafkaSaslMechanism && SASL_MECHANISMS.includes(config.kafkaSaslMechanism)) {
    const missing = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'].filter((name) => !given(name));
    if (missing.length > 0) problems.push(`KAFKA_SASL_MECHANISM=${config.kafkaSaslMechanism} needs ${missing.join(' and ')}`);
    // PLAIN sends the password as it is: only inside TLS.
    if (config.kafkaSaslMechanism === 'plain' && config.kafkaSsl === false) {
      problems.push('KAFKA_SASL_MECHANISM=plain sends the password in clear text: it needs KAFKA_SSL=true (or use scram-sha-256/512)');
    }
  } else if (!mechanismGiven && credentials.length > 0) {
    problems.push(`${credentials.join(' and ')} ${credentials.length > 1 ? 'are' : 'is'} set but KAFKA_SASL_MECHANISM is not: one of plain, scram-sha-256, scram-sha-512`);
  }
  return problems;
}
