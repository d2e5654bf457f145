import { IsBoolean, IsIn, IsInstance, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import type { KeyringKey } from '../crypto/keyring';
import { PemFile } from './pem-file';

export const SERVICE_NAMES = ['ingest', 'enricher', 'writer', 'scheduler', 'tools'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** KAFKA_SASL_MECHANISM, as kafkajs names them. */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** HUBSPOT_LEGACY_SIGNATURES: v1 only ever on the app route, v2 only on the workflow route (where HubSpot sends them). */
export const LEGACY_SIGNATURE_OPTIONS = ['app-v1', 'workflow-v2'] as const;
export type LegacySignatureOption = (typeof LEGACY_SIGNATURE_OPTIONS)[number];

/** AI_PROVIDER: who answers the enricher's prompts (config/deployment.ts decides when unset). */
export const AI_PROVIDER_NAMES = ['anthropic', 'offline'] as const;
export type AiProviderName = (typeof AI_PROVIDER_NAMES)[number];

/**
 * The one configuration object. Only `loadConfig` reads process.env; everything
 * else receives an AppConfig. Fields marked in SENSITIVE_FIELDS never reach a log.
 */
export class AppConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  databaseUrl: string;

  @MinLength(1, { each: true, message: 'must be a comma-separated list of host:port' })
  @Matches(/^[^\s:,]+:\d+$/, { each: true, message: 'each broker must be host:port' })
  kafkaBrokers: string[];

  @Matches(/^[a-zA-Z0-9._-]+$/, { message: 'may contain only letters, digits, dot, underscore and dash' })
  kafkaTopicPrefix: string;

  @IsInt() @Min(1) @Max(1000)
  kafkaTopicPartitions: number;

  // How every Kafka client connects: see kafka/kafka-client-config.ts (checked together there).
  @IsOptional() @Matches(/^[a-zA-Z0-9._-]+$/, { message: 'may contain only letters, digits, dot, underscore and dash' })
  kafkaClientId?: string;

  @IsBoolean()
  kafkaSsl: boolean;

  /** Read at load (PEM); without it, TLS trusts Node's built-in CA list. */
  @IsOptional() @IsInstance(PemFile)
  kafkaSslCaFile?: PemFile;

  @IsOptional() @IsInstance(PemFile)
  kafkaSslCertFile?: PemFile;

  @IsOptional() @IsInstance(PemFile)
  kafkaSslKeyFile?: PemFile;

  @IsOptional() @IsIn(SASL_MECHANISMS, { message: `$property must be one of ${SASL_MECHANISMS.join(', ')}` })
  kafkaSaslMechanism?: SaslMechanism;

  @IsOptional() @IsString() @MinLength(1)
  kafkaSaslUsername?: string;

  @IsOptional() @IsString() @MinLength(1)
  kafkaSaslPassword?: string;

  @IsInt() @Min(100) @Max(120_000)
  kafkaConnectionTimeoutMs: number;

  /** Consumer session (docs/decisions/0026): a dead member's partitions move after this long. */
  @IsInt() @Min(6_000) @Max(300_000)
  kafkaSessionTimeoutMs: number;

  @IsInt() @Min(1_000) @Max(600_000)
  kafkaRequestTimeoutMs: number;

  @IsInt() @Min(1) @Max(10)
  kafkaReplicationFactor: number;

  @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'must be an http(s) URL without a trailing slash' })
  hubspotApiBaseUrl: string;

  @IsOptional() @IsString() @MinLength(8)
  hubspotClientSecret?: string;

  /** Legacy (timestamp-less) signatures a webhook route accepts when a request carries no v3; empty = v3 only. */
  @IsIn(LEGACY_SIGNATURE_OPTIONS, { each: true })
  hubspotLegacySignatures: LegacySignatureOption[];

  @IsOptional() @IsInt() @Min(1)
  hubspotAppId?: number;

  @IsOptional() @IsString() @MinLength(1)
  hubspotClientId?: string;

  @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'must be an http(s) URL without a trailing slash' })
  hubspotAuthorizeUrl: string;

  @IsString({ each: true }) @MinLength(1, { each: true })
  hubspotOauthScopes: string[];

  @IsString({ each: true })
  hubspotOauthOptionalScopes: string[];

  @IsInt() @Min(10_000) @Max(3_600_000)
  oauthStateTtlMs: number;

  @IsInt() @Min(0) @Max(1_500_000)
  hubspotTokenRefreshSkewMs: number;

  @IsNumber() @Min(0.01) @Max(1)
  backfillBudgetShare: number;

  @IsOptional() @IsString() @MinLength(1)
  anthropicApiKey?: string;

  @IsOptional() @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  anthropicBaseUrl?: string;

  @IsString() @MinLength(1)
  anthropicModel: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  adminApiKey?: string;

  /** 32 raw bytes decoded from base64 or hex: key id "legacy" of the token keyring. */
  @IsOptional()
  tokenEncryptionKey?: Buffer;

  /** The token keyring's other keys (TOKEN_ENCRYPTION_KEYS); see config/token-keys.ts. */
  @IsOptional()
  tokenEncryptionKeys?: KeyringKey[];

  /** The key id that encrypts; resolved by loadConfig (the only key when there is one). */
  @IsOptional() @IsString()
  tokenEncryptionActiveKey?: string;

  @IsInt() @Min(1) @Max(65535)
  ingestPort: number;

  @IsInt() @Min(1) @Max(65535)
  adminPort: number;

  @IsString() @MinLength(1)
  adminHost: string;

  /** Interface of the ops listener (health, metrics) of the headless services. */
  @IsString() @MinLength(1)
  opsHost: string;

  @IsInt() @Min(1) @Max(65535)
  enricherOpsPort: number;

  @IsInt() @Min(1) @Max(65535)
  writerOpsPort: number;

  @IsInt() @Min(1) @Max(65535)
  schedulerOpsPort: number;

  /** Bearer token for GET /metrics (besides the admin key). */
  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  metricsApiKey?: string;

  @IsOptional() @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'must be an http(s) URL without a trailing slash' })
  publicBaseUrl?: string;

  // The public (webhook) port's limits; see apps/ingest/src/edge/.
  @IsInt() @Min(100) @Max(10_000)
  edgeHeadersTimeoutMs: number;

  @IsInt() @Min(100) @Max(30_000)
  edgeBodyTimeoutMs: number;

  @IsInt() @Min(1) @Max(100_000)
  edgeMaxConnections: number;

  @IsInt() @Min(1024 * 1024) @Max(1024 * 1024 * 1024)
  edgeMaxBufferedBodyBytes: number;

  @IsInt() @Min(0) @Max(1_000_000)
  edgeAuthFailuresPerMinute: number;

  @IsInt() @Min(0) @Max(600_000)
  coalesceWindowMs: number;

  @IsInt() @Min(0) @Max(600_000)
  portalCacheMs: number;

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel;

  @IsInt() @Min(1) @Max(20)
  consumerMaxAttempts: number;

  @IsInt() @Min(1) @Max(60000)
  retryBaseDelayMs: number;

  @IsInt() @Min(5) @Max(10000)
  outboxPollMs: number;

  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be HH:MM (a local time of day)' })
  schedulerDailyAt: string;

  @IsInt() @Min(100)
  schedulerTickMs: number;

  @IsNumber() @Min(0) @Max(0.9)
  hubspotBudgetHeadroom: number;

  @IsInt() @Min(100)
  hubspotRequestTimeoutMs: number;

  @IsInt() @Min(0)
  writerCreateSettleMs: number;

  @IsInt() @Min(1) @Max(100)
  enricherConcurrency: number;

  @IsInt() @Min(1) @Max(1000)
  modelMaxConcurrency: number;

  @IsInt() @Min(1) @Max(100)
  modelMaxConcurrencyPerPortal: number;

  @IsInt() @Min(100) @Max(1_000_000)
  writerMaxBuffered: number;

  @IsInt() @Min(1) @Max(1000)
  writerMaxConcurrentCalls: number;

  @IsInt() @Min(1) @Max(100)
  writerMaxInputsPerCall: number;

  /** Resolved by loadConfig: AI_PROVIDER, else anthropic with a key and offline without one (refused in production). */
  @IsOptional() @IsIn(AI_PROVIDER_NAMES)
  aiProvider?: AiProviderName;

  /** `production` turns on the deployment rules of config/deployment.ts. */
  @IsString() @MinLength(1)
  nodeEnv: string;
}

export const SENSITIVE_FIELDS: ReadonlyArray<keyof AppConfig> = [
  'hubspotClientSecret',
  'anthropicApiKey',
  'adminApiKey',
  'metricsApiKey',
  'tokenEncryptionKey',
  'tokenEncryptionKeys',
  'databaseUrl',
  'kafkaSaslPassword',
  // A PemFile never shows its text (not enumerable); the key's path is kept out of logs all the same.
  'kafkaSslKeyFile',
];
