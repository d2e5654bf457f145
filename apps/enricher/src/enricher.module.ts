import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, BackfillProgress, BackfillRepository, Logger, PlatformMetrics, PortalAccess } from '@app/common';
import { AI_PROVIDER, type AiProvider } from './ai/ai-provider';
import { AnthropicProvider } from './ai/anthropic.provider';
import { MeteredAiProvider } from './ai/metered.provider';
import { BackfillLister } from './backfills/backfill-lister';
import { BackfillRunner } from './backfills/backfill-runner';
import { BackfillTriggers } from './backfills/backfill-triggers';
import { ModelCheck, PROMPT_MODELS } from './ai/model-check';
import { ModelConcurrency } from './ai/model-concurrency';
import { OFFLINE_LABEL, OfflineRulesProvider } from './ai/offline-rules.provider';
import { allPromptVersions, offlineRulesByPrompt } from './capabilities/capability-registry';
import { DealAssessments } from './capabilities/management-ai/deal-assessments';
import { DealLister } from './capabilities/management-ai/deal-lister';
import { CompanyWorkflowReviews } from './triggers/company-workflow-reviews';
import { DealReviewTriggers } from './triggers/deal-review-triggers';
import { PipelineReader } from './capabilities/management-ai/pipeline-reader';
import { PipelineReview } from './capabilities/management-ai/pipeline-review';
import { RecordedAssessments } from './capabilities/management-ai/digest/recorded-assessments';
import { DigestComposer } from './capabilities/management-ai/digest/digest-composer';
import { DIGEST_DELIVERIES, HubSpotTaskDelivery, LogDigestDelivery } from './capabilities/management-ai/digest/digest-delivery';
import { ContextAssembler } from './context/context-assembler';
import { CrmReader } from './crm/crm-reader';
import { DecisionFlow } from './decisions/decision-flow';
import { DecisionMaker } from './decisions/decision-maker';
import { DecisionRecords } from './decisions/decision-records';
import { ModelRefusalAlerts } from './decisions/model-refusal-alerts';
import { ReplayConsumer } from './replays/replay.consumer';
import { ReplayRecords } from './replays/replay-records';
import { ReplayApplier } from './replays/replay-applier';
import { ReplayRunner } from './replays/replay-runner';
import { ReplaySetUp } from './replays/replay-setup';
import { TriggerConsumer } from './triggers/trigger.consumer';
import { TriggerRouter } from './triggers/trigger-router.service';

/**
 * Claude, unless loadConfig chose the clearly labelled offline scorer (AI_PROVIDER=offline,
 * or no key outside production). The boot log already says so when there is no key; a key
 * set but not used is said here.
 */
export function createAiProvider(config: AppConfig, logger?: Logger): AiProvider {
  if (config.aiProvider === 'offline' || !config.anthropicApiKey) {
    if (config.anthropicApiKey) logger?.warn(`${OFFLINE_LABEL}; AI_PROVIDER=offline, so ANTHROPIC_API_KEY is not used`);
    return new OfflineRulesProvider(offlineRulesByPrompt());
  }
  return new AnthropicProvider({ apiKey: config.anthropicApiKey, baseURL: config.anthropicBaseUrl, defaultModel: config.anthropicModel });
}

@Module({
  providers: [
    ModelCheck,
    { provide: PROMPT_MODELS, useFactory: () => allPromptVersions().flatMap((p) => (p.model ? [p.model] : [])) },
    // Every model call counted (calls, latency, tokens, cost, failures by kind) in the platform's metrics.
    { provide: AI_PROVIDER, useFactory: (config: AppConfig, logger: Logger, metrics: PlatformMetrics) => new MeteredAiProvider(createAiProvider(config, logger), metrics), inject: [AppConfig, Logger, PlatformMetrics] },
    {
      provide: ModelConcurrency,
      useFactory: (config: AppConfig) => new ModelConcurrency({ global: config.modelMaxConcurrency, perPortal: config.modelMaxConcurrencyPerPortal }),
      inject: [AppConfig],
    },
    PortalAccess,
    ModelRefusalAlerts,
    CrmReader,
    ContextAssembler,
    DecisionRecords,
    DecisionMaker,
    DecisionFlow,
    TriggerRouter,
    TriggerConsumer,
    ReplayRecords,
    ReplaySetUp,
    ReplayApplier,
    ReplayRunner,
    ReplayConsumer,
    // Backfills (docs/decisions/0021): the runner lists existing records at the pace; their triggers go the normal path.
    { provide: BackfillRepository, useFactory: (ds: DataSource) => new BackfillRepository(ds), inject: [DataSource] },
    { provide: BackfillProgress, useFactory: (ds: DataSource) => new BackfillProgress(ds), inject: [DataSource] },
    BackfillLister,
    BackfillTriggers,
    BackfillRunner,
    // Management AI's daily pipeline review: the deals' facts and a request per changed deal, each decided by the flow.
    DealLister,
    DealAssessments,
    DealReviewTriggers,
    CompanyWorkflowReviews,
    PipelineReader,
    PipelineReview,
    // Its last step, the day's digests, through each channel listed here (a new channel: one DigestDelivery more).
    RecordedAssessments,
    HubSpotTaskDelivery,
    LogDigestDelivery,
    { provide: DIGEST_DELIVERIES, useFactory: (hubspot: HubSpotTaskDelivery, log: LogDigestDelivery) => [hubspot, log], inject: [HubSpotTaskDelivery, LogDigestDelivery] },
    DigestComposer,
  ],
})
export class EnricherModule {}
