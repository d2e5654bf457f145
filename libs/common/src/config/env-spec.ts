import { LEAD_AI_REQUIREMENTS, MANAGEMENT_AI_REQUIREMENTS, SERVICE_AI_REQUIREMENTS, type ScopeRequirement } from '../capabilities/capability-requirements';
import { AI_PROVIDER_NAMES, LEGACY_SIGNATURE_OPTIONS, type AppConfig, type ServiceName } from './app-config';
import { decodeKey32, KEY_FORMAT_HINT, parseKeyList } from './token-keys';
import { PemFileError, readPemFile, type PemKind } from './pem-file';

type Parser = (raw: string) => unknown;

export interface EnvVarSpec {
  env: string;
  field: keyof AppConfig;
  description: string;
  default?: string;
  parse?: Parser;
  /** Services that refuse to start without it. */
  requiredBy?: ReadonlyArray<ServiceName>;
}

export class EnvParseError extends Error {}

const int: Parser = (raw) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new EnvParseError(`must be an integer, got "${raw}"`);
  return Number(raw);
};
const fraction: Parser = (raw) => {
  if (!/^\d*\.?\d+$/.test(raw.trim())) throw new EnvParseError(`must be a number between 0 and 1, got "${raw}"`);
  return Number(raw);
};
const list: Parser = (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean);
const key32: Parser = (raw) => {
  const bytes = decodeKey32(raw);
  if (!bytes) throw new EnvParseError(KEY_FORMAT_HINT);
  return bytes;
};
const keyList: Parser = (raw) => {
  const { keys, problems } = parseKeyList(raw);
  if (problems.length > 0) throw new EnvParseError(problems.join('; '));
  return keys;
};
/** Scope names, separated by spaces or commas (as HubSpot's install URL and app settings show them). */
const scopeList: Parser = (raw) => {
  const scopes = raw.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  const bad = scopes.filter((s) => !/^[a-z0-9._-]+$/i.test(s));
  if (bad.length > 0) throw new EnvParseError(`must be HubSpot scope names separated by spaces or commas, got ${bad.map((b) => `"${b}"`).join(', ')}`);
  return [...new Set(scopes)];
};
const bool: Parser = (raw) => {
  const value = raw.trim().toLowerCase();
  if (value !== 'true' && value !== 'false') throw new EnvParseError(`must be true or false, got "${raw}"`);
  return value === 'true';
};
const lowerCase: Parser = (raw) => raw.trim().toLowerCase();
/** Read now, so a missing or malformed file stops the service at boot. */
const pemFile =
  (kind: PemKind): Parser =>
  (raw) => {
    try {
      return readPemFile(raw.trim(), kind);
    } catch (error) {
      if (error instanceof PemFileError) throw new EnvParseError(error.message);
      throw error;
    }
  };
const aiProvider: Parser = (raw) => {
  const value = raw.trim().toLowerCase();
  if (!(AI_PROVIDER_NAMES as ReadonlyArray<string>).includes(value)) throw new EnvParseError(`must be ${AI_PROVIDER_NAMES.join(' or ')}, got "${raw}"`);
  return value;
};
const noTrailingSlash: Parser = (raw) => raw.trim();
/** `off`, or a comma-separated subset of LEGACY_SIGNATURE_OPTIONS. */
const legacySignatures: Parser = (raw) => {
  const values = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (values.length === 1 && values[0] === 'off') return [];
  const unknown = values.filter((v) => !(LEGACY_SIGNATURE_OPTIONS as ReadonlyArray<string>).includes(v));
  if (values.length === 0 || unknown.length > 0) throw new EnvParseError(`must be off or a comma-separated list of ${LEGACY_SIGNATURE_OPTIONS.join(', ')}, got "${raw}"`);
  return [...new Set(values)];
};

/** Lead AI's scopes and `oauth` (every OAuth app has it): what an install must grant. */
const DEFAULT_OAUTH_SCOPES = ['oauth', ...flatScopes(LEAD_AI_REQUIREMENTS.scopes)];
/**
 * Service AI's and Management AI's other scopes: optional, so a portal without Service
 * Hub, or one that grants no deal writes, still installs, with that capability off.
 */
const DEFAULT_OAUTH_OPTIONAL_SCOPES = [...new Set([...flatScopes(SERVICE_AI_REQUIREMENTS.scopes), ...flatScopes(MANAGEMENT_AI_REQUIREMENTS.scopes)])].filter((s) => !DEFAULT_OAUTH_SCOPES.includes(s));

function flatScopes(requirements: readonly ScopeRequirement[]): string[] {
  return [...new Set(requirements.map((r) => (typeof r === 'string' ? r : r[0]!)))];
}

/** Every environment variable the platform reads, in the order README documents them. */
export const ENV_SPEC: ReadonlyArray<EnvVarSpec> = [
  { env: 'DATABASE_URL', field: 'databaseUrl', default: 'postgres://postgres@127.0.0.1:5432/hubspot_ai', description: "Postgres holding the event store, outbox and portal registry; TLS with sslmode=require, verify-ca or verify-full and sslrootcert=<CA file> (libpq's meaning, docs/security.md)" },
  { env: 'KAFKA_BROKERS', field: 'kafkaBrokers', default: '127.0.0.1:9092', parse: list, description: 'Comma-separated Kafka bootstrap brokers' },
  { env: 'KAFKA_TOPIC_PREFIX', field: 'kafkaTopicPrefix', default: 'hubspot-ai', description: 'Prefix of every topic and consumer group name' },
  { env: 'KAFKA_TOPIC_PARTITIONS', field: 'kafkaTopicPartitions', default: '12', parse: int, description: 'Partitions per topic when topics are created' },
  { env: 'KAFKA_CLIENT_ID', field: 'kafkaClientId', description: 'Client id every Kafka connection of the service presents (quotas, ACL audit logs); default hubspot-ai-<service>' },
  { env: 'KAFKA_SSL', field: 'kafkaSsl', default: 'false', parse: bool, description: "true: connect to the brokers with TLS, verifying their certificates against KAFKA_SSL_CA_FILE, or Node's built-in CA list without it" },
  { env: 'KAFKA_SSL_CA_FILE', field: 'kafkaSslCaFile', parse: pemFile('certificate'), description: "PEM file of the CA(s) that signed the brokers' certificates (needs KAFKA_SSL=true); read at startup" },
  { env: 'KAFKA_SSL_CERT_FILE', field: 'kafkaSslCertFile', parse: pemFile('certificate'), description: 'PEM client certificate for TLS client authentication (mTLS, needs KAFKA_SSL=true and KAFKA_SSL_KEY_FILE)' },
  { env: 'KAFKA_SSL_KEY_FILE', field: 'kafkaSslKeyFile', parse: pemFile('private key'), description: "PEM private key of KAFKA_SSL_CERT_FILE, unencrypted (readable by the service's user only)" },
  { env: 'KAFKA_SASL_MECHANISM', field: 'kafkaSaslMechanism', parse: lowerCase, description: 'SASL authentication: plain (only with KAFKA_SSL=true), scram-sha-256 or scram-sha-512; unset: none' },
  { env: 'KAFKA_SASL_USERNAME', field: 'kafkaSaslUsername', description: 'SASL user name (an API key on Confluent Cloud)' },
  { env: 'KAFKA_SASL_PASSWORD', field: 'kafkaSaslPassword', description: 'SASL password (an API secret on Confluent Cloud); never logged' },
  { env: 'KAFKA_CONNECTION_TIMEOUT_MS', field: 'kafkaConnectionTimeoutMs', default: '3000', parse: int, description: 'How long connecting to a broker (TCP and TLS handshake) may take' },
  { env: 'KAFKA_SESSION_TIMEOUT_MS', field: 'kafkaSessionTimeoutMs', default: '6000', parse: int, description: "How long a consumer may go unheard before the broker gives its partitions to others: a replica killed without leaving its group is replaced after this long (at least the broker's group.min.session.timeout.ms, 6000 by default; managed clusters across regions may want more)" },
  { env: 'KAFKA_REQUEST_TIMEOUT_MS', field: 'kafkaRequestTimeoutMs', default: '30000', parse: int, description: 'How long a Kafka request may take before it fails (and is retried)' },
  { env: 'KAFKA_REPLICATION_FACTOR', field: 'kafkaReplicationFactor', default: '1', parse: int, description: 'Replication factor when topics are created' },
  { env: 'HUBSPOT_API_BASE_URL', field: 'hubspotApiBaseUrl', default: 'https://api.hubapi.com', parse: noTrailingSlash, description: 'HubSpot API base URL (the sandbox in tests and the demo)' },
  { env: 'HUBSPOT_REQUEST_TIMEOUT_MS', field: 'hubspotRequestTimeoutMs', default: '30000', parse: int, description: 'How long a HubSpot call may take before it counts as failed (its fate then unknown: creates are read back)' },
  { env: 'HUBSPOT_CLIENT_SECRET', field: 'hubspotClientSecret', requiredBy: ['ingest'], description: "The HubSpot app's client secret; verifies webhook signatures" },
  { env: 'HUBSPOT_LEGACY_SIGNATURES', field: 'hubspotLegacySignatures', default: 'off', parse: legacySignatures, description: 'Timestamp-less HubSpot signatures accepted when a request carries no v3: off (v3 only), app-v1 (v1 on the app route), workflow-v2 (v2 on the workflow route), or both comma-separated; each use is counted. Risk: such a request, once captured, can be replayed forever' },
  { env: 'HUBSPOT_CLIENT_ID', field: 'hubspotClientId', description: "The public (OAuth) app's client id: install links, the code exchange and token refreshes. Enricher and writer need it (and HUBSPOT_CLIENT_SECRET) once a portal is connected by OAuth" },
  { env: 'HUBSPOT_AUTHORIZE_URL', field: 'hubspotAuthorizeUrl', default: 'https://app.hubspot.com/oauth/authorize', parse: noTrailingSlash, description: "HubSpot's OAuth authorize page an install link redirects to (the sandbox's in tests and the demo)" },
  { env: 'HUBSPOT_OAUTH_SCOPES', field: 'hubspotOauthScopes', default: DEFAULT_OAUTH_SCOPES.join(' '), parse: scopeList, description: "Required scopes of the install link: exactly the app's required scopes in HubSpot (HubSpot refuses an install whose scopes differ)" },
  { env: 'HUBSPOT_OAUTH_OPTIONAL_SCOPES', field: 'hubspotOauthOptionalScopes', default: DEFAULT_OAUTH_OPTIONAL_SCOPES.join(' '), parse: scopeList, description: "Optional scopes of the install link (the app's optional scopes in HubSpot): a capability whose scopes are not granted stays off" },
  { env: 'OAUTH_STATE_TTL_MS', field: 'oauthStateTtlMs', default: '600000', parse: int, description: 'An install link is good for this long; its state is single-use' },
  { env: 'HUBSPOT_TOKEN_REFRESH_SKEW_MS', field: 'hubspotTokenRefreshSkewMs', default: '300000', parse: int, description: 'An OAuth access token is refreshed when it has less than this left (HubSpot issues 30-minute tokens)' },
  { env: 'BACKFILL_BUDGET_SHARE', field: 'backfillBudgetShare', default: '0.25', parse: fraction, description: "A backfill uses at most this share of the portal's HubSpot budget (standard and search); the rest stays for live traffic" },
  { env: 'HUBSPOT_APP_ID', field: 'hubspotAppId', parse: int, description: "The HubSpot app's id: its own changes (changeSource INTEGRATION, sourceId = app id) never trigger the AI again" },
  { env: 'ANTHROPIC_API_KEY', field: 'anthropicApiKey', description: 'Claude API key; without it the enricher uses the offline rules-based provider (see AI_PROVIDER; production refuses that unless AI_PROVIDER=offline)' },
  { env: 'ANTHROPIC_BASE_URL', field: 'anthropicBaseUrl', description: 'Anthropic API base URL without /v1 (the double in tests)' },
  { env: 'ANTHROPIC_MODEL', field: 'anthropicModel', default: 'claude-sonnet-5-5', description: 'Default Claude model for prompts that do not name one' },
  { env: 'ADMIN_API_KEY', field: 'adminApiKey', requiredBy: ['ingest'], description: 'Bearer token for the admin API' },
  // Ingest, enricher and writer need TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS (checked together in token-keys.ts).
  { env: 'TOKEN_ENCRYPTION_KEY', field: 'tokenEncryptionKey', parse: key32, description: 'AES-256-GCM key for portal tokens at rest (32 bytes, base64 or hex), key id `legacy`; or TOKEN_ENCRYPTION_KEYS' },
  { env: 'TOKEN_ENCRYPTION_KEYS', field: 'tokenEncryptionKeys', parse: keyList, description: "Keyring for tokens at rest: comma-separated id:key (id of letters, digits, . _ -; key as TOKEN_ENCRYPTION_KEY's), e.g. k2:…,k1:…; every key decrypts, the active one encrypts" },
  { env: 'TOKEN_ENCRYPTION_ACTIVE_KEY', field: 'tokenEncryptionActiveKey', description: 'Id of the key new ciphertexts are written with; required when several keys are configured' },
  { env: 'INGEST_PORT', field: 'ingestPort', default: '3000', parse: int, description: 'Webhook and health HTTP port' },
  { env: 'ADMIN_PORT', field: 'adminPort', default: '3001', parse: int, description: 'Admin API HTTP port' },
  { env: 'ADMIN_HOST', field: 'adminHost', default: '127.0.0.1', description: 'Interface the admin API binds to' },
  { env: 'METRICS_API_KEY', field: 'metricsApiKey', description: 'Bearer token for GET /metrics on the admin port of ingest and the ops ports (scrapers); ADMIN_API_KEY is accepted too. /metrics needs one of them, except on an ops listener bound to loopback with neither configured' },
  { env: 'OPS_HOST', field: 'opsHost', default: '127.0.0.1', description: 'Interface the ops listener (health and metrics) of enricher, writer and scheduler binds to; containers set 0.0.0.0, which then needs METRICS_API_KEY or ADMIN_API_KEY' },
  { env: 'ENRICHER_OPS_PORT', field: 'enricherOpsPort', default: '3011', parse: int, description: "Enricher's ops port: GET /health/live, /health/ready, /metrics" },
  { env: 'WRITER_OPS_PORT', field: 'writerOpsPort', default: '3012', parse: int, description: "Writer's ops port: GET /health/live, /health/ready, /metrics" },
  { env: 'SCHEDULER_OPS_PORT', field: 'schedulerOpsPort', default: '3013', parse: int, description: "Scheduler's ops port: GET /health/live, /health/ready, /metrics" },
  { env: 'PUBLIC_BASE_URL', field: 'publicBaseUrl', parse: noTrailingSlash, description: 'Public URL HubSpot posts to (signature v3 covers it); default http://localhost:$INGEST_PORT, which production (NODE_ENV) refuses' },
  { env: 'EDGE_HEADERS_TIMEOUT_MS', field: 'edgeHeadersTimeoutMs', default: '10000', parse: int, description: 'Public port: request line and headers must arrive within this time (at most 10000), else the connection is closed' },
  { env: 'EDGE_BODY_TIMEOUT_MS', field: 'edgeBodyTimeoutMs', default: '30000', parse: int, description: 'Public port: a webhook body must arrive within this time once its headers did (at most 30000), else 408 and the connection is closed' },
  { env: 'EDGE_MAX_CONNECTIONS', field: 'edgeMaxConnections', default: '512', parse: int, description: 'Public port: open connections at most; further ones are closed at once (health checks share the port)' },
  { env: 'EDGE_MAX_BUFFERED_BODY_BYTES', field: 'edgeMaxBufferedBodyBytes', default: '33554432', parse: int, description: 'Public port: webhook body bytes held in memory at once across all requests being read (at least 1048576, one largest body); beyond it 503 with Retry-After' },
  { env: 'EDGE_AUTH_FAILURES_PER_MINUTE', field: 'edgeAuthFailuresPerMinute', default: '20', parse: int, description: 'Public port: failed authentications one source (remote address; IPv6 per /64) may have per minute before its requests get 429 with Retry-After, before any body is read; 0 = no limit (e.g. behind a proxy that limits)' },
  { env: 'COALESCE_WINDOW_MS', field: 'coalesceWindowMs', default: '3000', parse: int, description: 'Property changes of one object within this window become one ObjectChanged trigger' },
  { env: 'PORTAL_CACHE_MS', field: 'portalCacheMs', default: '2000', parse: int, description: 'How long ingest caches a portal lookup (a registration or setting change applies at once in the ingest that made it, within this time in the others)' },
  { env: 'LOG_LEVEL', field: 'logLevel', default: 'info', description: 'debug, info, warn or error' },
  { env: 'CONSUMER_MAX_ATTEMPTS', field: 'consumerMaxAttempts', default: '5', parse: int, description: 'Attempts for a retriable failure before a message is dead-lettered' },
  { env: 'RETRY_BASE_DELAY_MS', field: 'retryBaseDelayMs', default: '200', parse: int, description: 'Base of the exponential backoff between attempts' },
  { env: 'OUTBOX_POLL_MS', field: 'outboxPollMs', default: '50', parse: int, description: 'How often the outbox relay looks for unpublished events' },
  { env: 'SCHEDULER_DAILY_AT', field: 'schedulerDailyAt', default: '08:00', description: "Default local time (HH:MM) of each portal's daily review, in the portal's time zone; settings.review.dailyAt overrides it" },
  { env: 'SCHEDULER_TICK_MS', field: 'schedulerTickMs', default: '60000', parse: int, description: 'How often the scheduler checks for due triggers' },
  { env: 'HUBSPOT_BUDGET_HEADROOM', field: 'hubspotBudgetHeadroom', default: '0.1', parse: fraction, description: "Share of each portal's HubSpot API limits left to the client's other integrations (a portal's settings.hubspot.headroom overrides it)" },
  { env: 'ENRICHER_CONCURRENCY', field: 'enricherConcurrency', default: '8', parse: int, description: "Partitions one enricher works on at once; on each, different portals are handled concurrently and one portal's triggers in order" },
  { env: 'MODEL_MAX_CONCURRENCY', field: 'modelMaxConcurrency', default: '8', parse: int, description: 'Model calls one enricher has in flight at once, across all portals' },
  { env: 'MODEL_MAX_CONCURRENCY_PER_PORTAL', field: 'modelMaxConcurrencyPerPortal', default: '2', parse: int, description: 'Model calls one portal may have in flight in one enricher (more than one only when it has several decisions running, e.g. replays); waiting portals take turns' },
  { env: 'WRITER_MAX_BUFFERED', field: 'writerMaxBuffered', default: '20000', parse: int, description: 'Writebacks the writer holds in memory before it pauses consuming (backpressure)' },
  { env: 'WRITER_MAX_CONCURRENT_CALLS', field: 'writerMaxConcurrentCalls', default: '32', parse: int, description: 'HubSpot calls one writer makes at once, across all portals' },
  { env: 'WRITER_CREATE_SETTLE_MS', field: 'writerCreateSettleMs', default: '60000', parse: int, description: 'A create whose answer was lost is read back no sooner than this after it was sent (longer than HUBSPOT_REQUEST_TIMEOUT_MS, so it can no longer land)' },
  { env: 'WRITER_MAX_INPUTS_PER_CALL', field: 'writerMaxInputsPerCall', default: '100', parse: int, description: "Inputs per HubSpot batch call (HubSpot's maximum is 100)" },
  // Deployment (config/deployment.ts): what production refuses.
  { env: 'NODE_ENV', field: 'nodeEnv', default: 'development', description: 'production (the image and docker-compose.yml set it): the enricher needs ANTHROPIC_API_KEY or AI_PROVIDER=offline, ingest needs PUBLIC_BASE_URL' },
  { env: 'AI_PROVIDER', field: 'aiProvider', parse: aiProvider, description: 'anthropic (needs ANTHROPIC_API_KEY) or offline (the rules-based provider, even with a key); unset: anthropic when ANTHROPIC_API_KEY is set, else offline, which production refuses' },
];
