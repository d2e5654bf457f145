import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { AppConfig, SENSITIVE_FIELDS, type ServiceName } from './app-config';
import { ENV_SPEC, EnvParseError } from './env-spec';
import { productionProblems, resolveAiProvider } from './deployment';
import { resolveTokenKeys } from './token-keys';
import type { KeyringKey } from '../crypto/keyring';
import { kafkaConfigProblems } from '../kafka/kafka-client-config';
import { postgresTlsProblems } from '../database/postgres-tls';
import { PemFile } from './pem-file';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const envNameOf = new Map(ENV_SPEC.map((spec) => [spec.field as string, spec.env]));

/**
 * Builds and validates the configuration from an environment map. Collects every
 * problem before failing, so an operator fixes the deployment in one go.
 */
export function loadConfig(env: NodeJS.ProcessEnv, service: ServiceName): AppConfig {
  const problems: string[] = [];
  const plain: Record<string, unknown> = {};

  for (const spec of ENV_SPEC) {
    const raw = env[spec.env]?.trim() ? env[spec.env] : spec.default;
    if (raw === undefined) {
      if (spec.requiredBy?.includes(service)) problems.push(`${spec.env} is required by ${service}: ${spec.description}`);
      continue;
    }
    try {
      plain[spec.field] = spec.parse ? spec.parse(raw) : raw;
    } catch (error) {
      if (!(error instanceof EnvParseError)) throw error;
      problems.push(`${spec.env} ${error.message}`);
    }
  }

  const config = plainToInstance(AppConfig, plain);
  // Buffers survive plainToInstance only by reference; keep the parsed keys as they are.
  if (plain.tokenEncryptionKey) config.tokenEncryptionKey = plain.tokenEncryptionKey as Buffer;
  if (plain.tokenEncryptionKeys) config.tokenEncryptionKeys = plain.tokenEncryptionKeys as KeyringKey[];
  // PEM files too: class instances are kept as parsed.
  for (const [field, value] of Object.entries(plain)) if (value instanceof PemFile) Object.assign(config, { [field]: value });
  problems.push(...resolveTokenKeys(config, env, service));
  problems.push(...kafkaConfigProblems(config, env));
  if (typeof config.databaseUrl === 'string' && /^postgres(ql)?:\/\/.+/.test(config.databaseUrl)) problems.push(...postgresTlsProblems(config.databaseUrl));
  problems.push(...opsListenerProblems(config, service));
  problems.push(...resolveAiProvider(config, env, service), ...productionProblems(config, service));
  for (const error of validateSync(config, { forbidUnknownValues: false })) {
    if (problems.some((p) => p.startsWith(`${envNameOf.get(error.property)} `))) continue;
    problems.push(describe(error));
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const OPS_SERVICES: ReadonlyArray<ServiceName> = ['enricher', 'writer', 'scheduler'];

/** 127.0.0.1, ::1, localhost: an address only this host (or this container) reaches. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The ops listener's /metrics is open only where nothing else can reach it: bound to
 * any other interface (a container's 0.0.0.0), it needs a key (docs/security.md).
 */
function opsListenerProblems(config: AppConfig, service: ServiceName): string[] {
  if (!OPS_SERVICES.includes(service) || typeof config.opsHost !== 'string' || isLoopbackHost(config.opsHost)) return [];
  if (config.metricsApiKey || config.adminApiKey) return [];
  return [`METRICS_API_KEY is required by ${service} when OPS_HOST (${config.opsHost}) is not a loopback address: /metrics would be open to the network`];
}

/**
 * Every given service's problems with one environment, services without any left out:
 * what `config:check` prints, so that `docker compose up` stops at the migrate job,
 * before anything starts, on a setting any service refuses.
 */
export function configProblemsByService(env: NodeJS.ProcessEnv, services: ReadonlyArray<ServiceName>): Array<{ service: ServiceName; problems: string[] }> {
  return services.flatMap((service) => {
    try {
      loadConfig(env, service);
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return [{ service, problems: error.problems }];
    }
  });
}

function describe(error: ValidationError): string {
  const envName = envNameOf.get(error.property) ?? error.property;
  const reasons = Object.values(error.constraints ?? {}).map((m) => m.replace(/^\S+ /, ''));
  return `${envName} ${reasons.join('; ')}`;
}

/** A copy safe to log: secrets replaced, the database password masked. */
export function redactConfig(config: AppConfig): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const field of SENSITIVE_FIELDS) {
    if (copy[field] === undefined) continue;
    copy[field] = field === 'databaseUrl' ? maskUrlPassword(config.databaseUrl) : '[redacted]';
  }
  return copy;
}

export function maskUrlPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export function publicBaseUrlOf(config: AppConfig): string {
  return config.publicBaseUrl ?? `http://localhost:${config.ingestPort}`;
}
