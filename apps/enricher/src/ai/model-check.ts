import type Anthropic from '@anthropic-ai/sdk';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, Logger } from '@app/common';
import { createAnthropicClient } from './anthropic.provider';
import { modelSpec } from './model-catalogue';

/** The models the prompt versions name (the capability registry's, given by the module: ai/ does not read capabilities/). */
export const PROMPT_MODELS = Symbol('PROMPT_MODELS');

/** What the API says of a model the platform may use, as a warning an operator can act on (null: nothing to say). */
export type ModelWarning = { model: string; problem: 'unknown-to-the-api' | 'deprecated' | 'not-in-catalogue'; message: string };

/**
 * Checks the models the platform may ask (ANTHROPIC_MODEL and every prompt
 * version's own) against the models the API lists (`GET /v1/models`): an id the
 * API does not list is unknown or retired, and every call with it will answer 404;
 * a deprecated one has a retirement date; an id missing from the platform's model
 * table has no price and no request rules. Pure over the list it is given.
 */
export function modelWarnings(wanted: readonly string[], listed: ReadonlyArray<Pick<Anthropic.ModelInfo, 'id'> & Partial<Pick<Anthropic.ModelInfo, 'lifecycle' | 'retires_at'>>>): ModelWarning[] {
  const warnings: ModelWarning[] = [];
  for (const model of [...new Set(wanted)]) {
    const spec = modelSpec(model);
    const ids = [model, ...(spec ? [spec.id, ...(spec.snapshots ?? [])] : [])];
    const info = listed.find((m) => ids.includes(m.id));
    if (!info) {
      warnings.push({ model, problem: 'unknown-to-the-api', message: `the Anthropic API does not list ${model}: it is retired or misspelt, and every decision that uses it will fail (404) until the model is changed` });
    } else if (info.lifecycle === 'deprecated' || info.lifecycle === 'retired') {
      warnings.push({ model, problem: 'deprecated', message: `${model} is ${info.lifecycle}${info.retires_at ? `, retiring ${info.retires_at.slice(0, 10)}` : ''}: move the prompts that use it to a current model` });
    } else if (spec?.lifecycle === 'deprecated') {
      warnings.push({ model, problem: 'deprecated', message: `${model} is deprecated${spec.retiresOn ? `, retiring ${spec.retiresOn}` : ''} (the platform's model table): move the prompts that use it to a current model` });
    }
    if (!spec) warnings.push({ model, problem: 'not-in-catalogue', message: `${model} is not in the platform's model table (apps/enricher/src/ai/model-catalogue.ts): its cost is reported as unknown and it is asked as the strictest current model is` });
  }
  return warnings;
}

/**
 * At boot, with a key: the models the platform may ask, checked against the models
 * the API lists, each problem a warning in the log (a failed check is one too: it
 * never stops the enricher).
 */
@Injectable()
export class ModelCheck implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly logger: Logger,
    @Inject(PROMPT_MODELS) private readonly promptModels: readonly string[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.aiProvider === 'offline' || !this.config.anthropicApiKey) return;
    const client = createAnthropicClient({ apiKey: this.config.anthropicApiKey, baseURL: this.config.anthropicBaseUrl, timeoutMs: 10_000, maxRetries: 1 });
    const wanted = [this.config.anthropicModel, ...this.promptModels];
    try {
      const listed: Anthropic.ModelInfo[] = [];
      for await (const model of client.models.list({ limit: 100 })) listed.push(model);
      const warnings = modelWarnings(wanted, listed);
      for (const w of warnings) this.logger.warn(`model check: ${w.message}`, { model: w.model, problem: w.problem });
      this.logger.info(`model check: ${[...new Set(wanted)].join(', ')} against ${listed.length} models the API lists; ${warnings.length} warning(s)`);
    } catch (error) {
      this.logger.warn(`model check: could not list the API's models (${error instanceof Error ? error.message : String(error)}); the models in use are not checked`);
    }
  }
}
