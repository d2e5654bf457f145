import type { AiProviderName, AppConfig, ServiceName } from './app-config';

/**
 * The rules that make a deployment refuse to start rather than run quietly wrong.
 * Production is NODE_ENV=production (the image and docker-compose.yml set it): there
 * an unset ANTHROPIC_API_KEY is far more likely a missing secret than a wish for the
 * offline rules, and the localhost PUBLIC_BASE_URL default fails every real HubSpot
 * v3 signature. Problems name variables, never values.
 */
type DeploymentFields = Pick<AppConfig, 'nodeEnv' | 'aiProvider' | 'anthropicApiKey' | 'publicBaseUrl'>;

export function isProduction(config: Pick<AppConfig, 'nodeEnv'>): boolean {
  return config.nodeEnv === 'production';
}

/**
 * Sets `aiProvider` to the provider the enricher will use:
 *   AI_PROVIDER=offline     offline, even with a key (labelled as such)
 *   AI_PROVIDER=anthropic   Claude; without ANTHROPIC_API_KEY an error, everywhere
 *   unset                   anthropic with a key; offline without one, except in
 *                           production, where that is an error
 * Only the enricher is refused: it is the one service that asks the provider. An
 * AI_PROVIDER that failed to parse was reported already and is not reported again.
 */
export function resolveAiProvider(config: DeploymentFields, env: NodeJS.ProcessEnv, service: ServiceName): string[] {
  if (env.AI_PROVIDER?.trim() && config.aiProvider === undefined) return [];
  const chosen: AiProviderName | undefined = config.aiProvider;
  config.aiProvider = chosen ?? (config.anthropicApiKey ? 'anthropic' : 'offline');
  if (service !== 'enricher' || config.anthropicApiKey) return [];
  if (chosen === 'anthropic') return ['ANTHROPIC_API_KEY is required by enricher when AI_PROVIDER=anthropic'];
  if (chosen === undefined && isProduction(config)) {
    return ['ANTHROPIC_API_KEY is required by enricher in production (NODE_ENV=production); to run the offline rules-based provider on purpose, set AI_PROVIDER=offline'];
  }
  return [];
}

/** Production-only requirements besides the AI provider's. */
export function productionProblems(config: DeploymentFields, service: ServiceName): string[] {
  if (!isProduction(config)) return [];
  if (service === 'ingest' && !config.publicBaseUrl) {
    return ['PUBLIC_BASE_URL is required by ingest in production (NODE_ENV=production): HubSpot signs the public URL it posts to, so the localhost default fails every v3 signature'];
  }
  return [];
}
