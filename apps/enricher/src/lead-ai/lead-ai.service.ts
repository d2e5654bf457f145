import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import {

  causedBy,
  CLOCK,
  deterministicId,
  EventStore,
  Outcome,
  PortalRepository,
  StreamIds,
  TOPICS,
  type Clock,
  type HandlerOutcome,
  type PlatformEvent,
  type TokenUsage,
  type TopicNames,
} from '@app/common';
import { AI_PROVIDER, AiProviderError, type AiAnswer, type AiProvider } from '../ai/ai-provider';
import { CrmReader } from '../crm/crm-reader';
import { estimateCostUsd } from '../ai/model-prices';
import { pseudonymise } from '../privacy/pseudonymise';
import { chooseLeadOwner, followUpDueAt } from './lead-routing';
import { LEAD_SCORING_PROMPT, type LeadContext } from '../prompts/lead-scoring.prompt';
import { selectPrompt } from '../prompts/prompt-registry';
import { pickFields, renderPrompt } from '../prompts/prompt';
import { triggerSkipped } from '../triggers/trigger-skipped';
import { LeadAssessment } from './lead-assessment.dto';
import { planLeadWritebacks } from './lead-writebacks';

/**
 * Lead AI for one contact.creation trigger: fetch the contact, ask the provider,
 * validate, and record ContextFetched → DecisionMade → WritebackRequested in one
 * transaction (the writeback commands reach the writer through the outbox).
 */
@Injectable()
export class LeadAiService {
  constructor(
    private readonly eventStore: EventStore,
    private readonly portals: PortalRepository,
    private readonly crm: CrmReader,
    @Inject(AI_PROVIDER) private readonly ai: AiProvider,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handleContactCreated(trigger: PlatformEvent<'WebhookEventReceived'>): Promise<HandlerOutcome> {
    const found = await this.portals.findWithAccessToken(trigger.portalId);
    if (!found || found.portal.status !== 'active') return Outcome.drop(`portal ${trigger.portalId} is ${found ? found.portal.status : 'not registered'}`);
    const { portal, accessToken: token } = found;
    const choice = selectPrompt<LeadContext>(LEAD_SCORING_PROMPT.id, portal.settings.promptVersions);
    if (!choice.ok) return Outcome.deadLetter(choice.reason);
    const prompt = choice.prompt;
    const decisionId = deterministicId('decision', trigger.id, prompt.id, prompt.version);
    // A redelivered trigger whose decision is already recorded is done: never pay twice.
    if (await this.eventStore.findById(decisionId)) return Outcome.done();


    const contactId = trigger.data.objectId;
    const streamId = StreamIds.crmObject(trigger.portalId, 'contacts', contactId);
    const read = await this.crm.getObject({ portalId: trigger.portalId, accessToken: token, plan: portal.settings.hubspot }, 'contacts', contactId, prompt.fields);
    if (read.kind === 'failed') {
      const failure = read.failure;
      switch (failure.kind) {
        case 'retry':
          return Outcome.retry(failure.reason, failure.retryAfterMs);
        case 'not-found':
          await this.eventStore.append({
            streamId,
            events: [triggerSkipped(trigger, trigger.data.subscriptionType, `contact ${contactId} no longer exists (deleted or merged): ${failure.reason}`, this.clock())],
          });
          return Outcome.done();
        case 'unauthorized':
        case 'rejected':
          return Outcome.deadLetter(failure.reason);
      }
    }

    const now = this.clock();
    const facts = pickFields(read.properties, prompt.fields);
    const contextFetched = causedBy(trigger, {
      type: 'ContextFetched',
      portalId: trigger.portalId,
      id: deterministicId('context', trigger.id, prompt.id, prompt.version),
      data: { objectType: 'contacts', objectId: contactId, snapshot: facts, hubspotStatus: read.status, rateLimit: read.rateLimit },
    }, now) satisfies PlatformEvent<'ContextFetched'>;

    // The model sees placeholders, never the contact's email, phone, address or name.
    const privacy = pseudonymise(facts, portal.settings.privacy);
    const rendered = renderPrompt(prompt, { contactId, properties: privacy.facts });
    let answer: AiAnswer;
    let checked: Checked;
    let repairedFrom: { output: unknown; problems: string[] } | undefined;
    let usage: TokenUsage;
    try {
      answer = await this.ai.answer(rendered, privacy.facts);
      checked = await validateAssessment(answer.output);
      usage = answer.usage;
      if (!checked.ok) {
        // One repair attempt that quotes the validation errors, then the dead-letter topic.
        const first = answer;
        answer = await this.ai.answer(rendered, privacy.facts, { previous: first, problems: checked.problems });
        usage = addUsage(first.usage, answer.usage);
        repairedFrom = { output: first.output, problems: checked.problems };
        checked = await validateAssessment(answer.output);
        if (!checked.ok) {
          return Outcome.deadLetter(
            `${answer.provider} answer failed validation twice: ${checked.problems.join('; ')}; first answer: ${JSON.stringify(first.output).slice(0, 2000)}; repaired answer: ${JSON.stringify(answer.output).slice(0, 2000)}`,
          );
        }
      }
    } catch (error) {
      if (error instanceof AiProviderError) return error.retriable ? Outcome.retry(error.message, error.retryAfterMs) : Outcome.deadLetter(error.message);
      throw error;
    }
    const assessment = checked.assessment;

    const decision = causedBy(contextFetched, {
      type: 'DecisionMade',
      portalId: trigger.portalId,
      id: decisionId,
      data: {
        trigger: { eventId: trigger.id, type: trigger.data.subscriptionType },
        prompt: { id: rendered.promptId, version: rendered.promptVersion, hash: rendered.hash },
        provider: answer.provider,
        model: answer.model,
        input: answer.input,
        output: { ...assessment },
        usage,
        costUsd: answer.provider === 'offline-rules' ? 0 : estimateCostUsd(answer.model, usage),
        ...(repairedFrom ? { repairedFrom } : {}),
        latencyMs: answer.latencyMs,
        ...(answer.label ? { label: answer.label } : {}),
      },
    }, now) satisfies PlatformEvent<'DecisionMade'>;

    const routing = portal.settings.leadRouting;
    const writebacks = planLeadWritebacks(decisionId, contactId, restoreAssessment(assessment, privacy.restore), {
      ownerId: chooseLeadOwner(assessment, routing),
      dueAt: followUpDueAt(now, routing),
      decidedAt: now.toISOString(),
    }).map(
      (command) => causedBy(decision, { type: 'WritebackRequested', portalId: trigger.portalId, id: command.commandId, data: command }, now) satisfies PlatformEvent<'WritebackRequested'>,
    );

    const result = await this.eventStore.appendAll([
      { streamId, events: [contextFetched] },
      { streamId, events: [decision], publishTo: this.topics.decisions },
      { streamId, events: writebacks, publishTo: this.topics.writebacks },
    ]);
    if (result.kind === 'conflict') return Outcome.retry(`stream ${result.streamId} changed concurrently`);
    return Outcome.done();
  }
}

/** The assessment with the real values back in its text, for what is written to the CRM. */
function restoreAssessment(assessment: LeadAssessment, restore: (text: string) => string): LeadAssessment {
  return Object.assign(new LeadAssessment(), {
    ...assessment,
    summary: restore(assessment.summary),
    ...(assessment.painPoints ? { painPoints: assessment.painPoints.map(restore) } : {}),
    ...(assessment.recommendedAction ? { recommendedAction: restore(assessment.recommendedAction) } : {}),
    ...(assessment.emailDraft ? { emailDraft: restore(assessment.emailDraft) } : {}),
  });
}

type Checked = { ok: true; assessment: LeadAssessment } | { ok: false; problems: string[] };

async function validateAssessment(output: unknown): Promise<Checked> {
  const assessment = plainToInstance(LeadAssessment, output);
  const problems = await validate(assessment, { forbidUnknownValues: false });
  if (problems.length === 0) return { ok: true, assessment };
  return { ok: false, problems: problems.flatMap((p) => Object.values(p.constraints ?? {})) };
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
  };
}
