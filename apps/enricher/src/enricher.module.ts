import { Module } from '@nestjs/common';
import { AppConfig } from '@app/common';
import { AI_PROVIDER, type AiProvider } from './ai/ai-provider';
import { AnthropicProvider } from './ai/anthropic.provider';
import { OfflineRulesProvider } from './ai/offline-rules.provider';
import { CrmReader } from './crm/crm-reader';
import { LeadAiService } from './lead-ai/lead-ai.service';
import { TriggerConsumer } from './triggers/trigger.consumer';
import { TriggerRouter } from './triggers/trigger-router.service';

/** Claude when a key is configured; otherwise the clearly labelled offline scorer. */
export function createAiProvider(config: AppConfig): AiProvider {
  if (!config.anthropicApiKey) return new OfflineRulesProvider();
  return new AnthropicProvider({ apiKey: config.anthropicApiKey, baseURL: config.anthropicBaseUrl, defaultModel: config.anthropicModel });
}

@Module({
  providers: [
    { provide: AI_PROVIDER, useFactory: createAiProvider, inject: [AppConfig] },
    CrmReader,
    LeadAiService,
    TriggerRouter,
    TriggerConsumer,
  ],
})
export class EnricherModule {}
