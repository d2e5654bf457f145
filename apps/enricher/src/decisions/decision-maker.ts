import { Inject, Injectable } from '@nestjs/common';
import {
  causedBy,
  deterministicId,
  Outcome,
  type EventEnvelope,
  type HandlerOutcome,
  type PlatformEvent,
  type Portal,
  type CrmObjectType,
  type TokenUsage,
} from '@app/common';
import { AI_PROVIDER, AiProviderError, NO_USAGE, UnusableAnswerError, type AiAnswer, type AiProvider, type AnswerOptions } from '../ai/ai-provider';
import { ModelConcurrency } from '../ai/model-concurrency';
import { estimateCostUsd } from '../ai/model-catalogue';
import { flattenContext, pickDeclared, type CrmContext } from '../context/crm-context';
import { pseudonymise, type Pseudonymised } from '../privacy/pseudonymise';
import { renderPrompt, type PromptDefinition, type RenderedPrompt } from '../prompts/prompt';
import { DecisionRecords } from './decision-records';
import { checkAnswer, type AnswerSchema, type CheckedAnswer } from '../capabilities/answer-schema';

export interface DecisionRequest<T extends object> {
  trigger: EventEnvelope;
  /** How the decision names its trigger: a subscription type or an event type. */
  triggerType: string;
  portal: Portal;
  prompt: PromptDefinition;
  context: CrmContext;
  /** The answer's one definition (the capability's): the answer must parse against it. */
  answer: AnswerSchema<T>;
  now: Date;
  /** Call the model even when the same input was decided before (a replay that wants a fresh answer). */
  forceModelCall?: boolean;
}

export type DecisionResult<T> =
  | {
      kind: 'decided';
      contextFetched: PlatformEvent<'ContextFetched'>;
      decision: PlatformEvent<'DecisionMade'>;
      /** The validated answer as the model gave it (with placeholders). */
      answer: T;
      /** Puts the real values back into the answer's text, for what is written to the CRM. */
      restore(text: string): string;
    }
  /** The model answered but no decision came of it: record `failure` (what it said and cost) and dead-letter the trigger. */
  | { kind: 'failed'; contextFetched: PlatformEvent<'ContextFetched'>; failure: PlatformEvent<'DecisionFailed'>; outcome: HandlerOutcome }
  /**
   * The model could not be asked; `configurationError` when it refuses requests like this one (an operator must act);
   * `paid` when replies were paid for before the failure: recorded (with `contextFetched`) so their cost is not lost.
   */
  | { kind: 'not-decided'; outcome: HandlerOutcome; configurationError?: AiProviderError; paid?: { contextFetched: PlatformEvent<'ContextFetched'>; failure: PlatformEvent<'DecisionFailed'> } };

/** One question to the model about one record's facts, whatever the reason for asking (a trigger, a replay). */
export interface Consultation<T extends object> {
  portal: Portal;
  prompt: PromptDefinition;
  objectType: CrmObjectType;
  objectId: string;
  /** The record and its related records as read (real values; see flattenContext). */
  snapshot: Record<string, string>;
  answer: AnswerSchema<T>;
  /** Call the model even when the same input was answered before. */
  forceModelCall?: boolean;
  /** A decision whose answer must not be reused for this one (the trigger's own, when it is redelivered). */
  notFrom?: string;
}

/** What a decision records of the call, its trigger aside. */
export type AnsweredCall = Omit<PlatformEvent<'DecisionMade'>['data'], 'trigger'>;
/** What a failed decision records of the calls, its trigger aside. */
export type UnusableCall = Omit<PlatformEvent<'DecisionFailed'>['data'], 'trigger'>;

export type ConsultationResult<T> =
  | { kind: 'answered'; call: AnsweredCall; answer: T; restore(text: string): string }
  /** The model answered (and was paid) but the answer is unusable; `message` quotes every reply. */
  | { kind: 'unusable'; call: UnusableCall; message: string }
  /** No answer: the model could not be asked (`outcome` says whether to retry); `aboutThisRequest` when only this input is refused (400, 413). */
  | {
      kind: 'error';
      outcome: HandlerOutcome;
      aboutThisRequest: boolean;
      /** The model refuses requests like this one (a request setting, an unknown model): an operator must act, every portal is affected. */
      configurationError?: AiProviderError;
      /** Replies paid for before the failure (one that ran out of room, a first answer that needed repair): to be recorded with their cost. */
      paid?: UnusableCall;
      provider: AiAnswer['provider'];
      model: string;
      prompt: AnsweredCall['prompt'];
    };

/** A trigger's decision id for a prompt version: a redelivered trigger finds its decision by it. */
export function decisionIdFor(trigger: EventEnvelope, prompt: Pick<PromptDefinition, 'id' | 'version'>): string {
  return deterministicId('decision', trigger.id, prompt.id, prompt.version);
}

/**
 * Turns CRM facts into a validated answer, the same way for every capability and
 * for replays: minimise and pseudonymise, render the versioned prompt, reuse an
 * earlier answer to the same input or ask the model (one repair attempt), and
 * validate. `decide` wraps that in the ContextFetched and DecisionMade events that
 * explain a live decision; recording them is the caller's, with its writebacks.
 */
@Injectable()
export class DecisionMaker {
  constructor(
    @Inject(AI_PROVIDER) private readonly ai: AiProvider,
    private readonly records: DecisionRecords,
    private readonly concurrency: ModelConcurrency,
  ) {}

  async decide<T extends object>(request: DecisionRequest<T>): Promise<DecisionResult<T>> {
    const { trigger, portal, prompt, context, now } = request;
    const snapshot = flattenContext(context);
    const contextFetched = causedBy(trigger, {
      type: 'ContextFetched',
      portalId: trigger.portalId,
      id: deterministicId('context', trigger.id, prompt.id, prompt.version),
      data: {
        objectType: context.objectType,
        objectId: context.objectId,
        snapshot,
        // The record's read: the first that succeeded (one refused for the deals scope is read again without them).
        hubspotStatus: context.reads.find((read) => read.status < 400)?.status ?? 200,
        rateLimit: context.rateLimit,
        reads: context.reads,
      },
    }, now) satisfies PlatformEvent<'ContextFetched'>;

    const decisionId = decisionIdFor(trigger, prompt);
    const consulted = await this.consult({
      portal,
      prompt,
      objectType: context.objectType,
      objectId: context.objectId,
      snapshot,
      answer: request.answer,
      forceModelCall: request.forceModelCall,
      notFrom: decisionId,
    });
    const triggerRef = { eventId: trigger.id, type: request.triggerType };
    switch (consulted.kind) {
      case 'error': {
        const paid = consulted.paid
          ? {
              contextFetched,
              failure: causedBy(contextFetched, {
                type: 'DecisionFailed',
                portalId: trigger.portalId,
                id: deterministicId('decision-failed', decisionId, JSON.stringify(consulted.paid.answers)),
                data: { trigger: triggerRef, ...consulted.paid },
              }, now) satisfies PlatformEvent<'DecisionFailed'>,
            }
          : undefined;
        return { kind: 'not-decided', outcome: consulted.outcome, ...(consulted.configurationError ? { configurationError: consulted.configurationError } : {}), ...(paid ? { paid } : {}) };
      }
      case 'unusable': {
        const failure = causedBy(contextFetched, {
          type: 'DecisionFailed',
          portalId: trigger.portalId,
          // The same replies to the same trigger are one failure; a redriven trigger that fails again is another.
          id: deterministicId('decision-failed', decisionId, JSON.stringify(consulted.call.answers)),
          data: { trigger: triggerRef, ...consulted.call },
        }, now) satisfies PlatformEvent<'DecisionFailed'>;
        return { kind: 'failed', contextFetched, failure, outcome: Outcome.deadLetter(`${consulted.call.reason} (DecisionFailed ${failure.id}); ${consulted.message}`) };
      }
      case 'answered': {
        const decision = causedBy(contextFetched, { type: 'DecisionMade', portalId: trigger.portalId, id: decisionId, data: { trigger: triggerRef, ...consulted.call } }, now) satisfies PlatformEvent<'DecisionMade'>;
        return { kind: 'decided', contextFetched, decision, answer: consulted.answer, restore: consulted.restore };
      }
    }
  }

  /**
   * What a consultation sends, without sending it: the facts the prompt declares,
   * pseudonymised by the portal's policy, rendered. Deterministic, so applying a
   * replay later restores its answer with the placeholders it was given.
   */
  prepare(request: Pick<Consultation<object>, 'portal' | 'prompt' | 'objectType' | 'objectId' | 'snapshot'>): { rendered: RenderedPrompt; privacy: Pseudonymised } {
    const facts = pickDeclared(request.snapshot, request.prompt.context);
    // The model sees placeholders, never the CRM's emails, phones, addresses or names.
    const privacy = pseudonymise(facts, request.portal.settings.privacy);
    const rendered = renderPrompt(request.prompt, { objectType: request.objectType, objectId: request.objectId, facts: privacy.facts });
    return { rendered, privacy };
  }

  async consult<T extends object>(request: Consultation<T>): Promise<ConsultationResult<T>> {
    const { portal } = request;
    const { rendered, privacy } = this.prepare(request);
    const promptRef = { id: rendered.promptId, version: rendered.promptVersion, hash: rendered.hash };

    // Never pay twice: the same rendered prompt was answered before, by the provider and model that would answer now
    // (an offline-rules answer is not reused once a key is configured, nor one model's answer for another).
    const earlier = request.forceModelCall ? undefined : await this.records.findByPromptHash(portal.portalId, rendered.hash);
    if (earlier && earlier.id !== request.notFrom && earlier.data.provider === this.ai.name && earlier.data.model === this.ai.modelFor(rendered)) {
      const checked = checkAnswer(request.answer, earlier.data.output);
      if (checked.ok) {
        const call = reusedAnswer({ ...earlier.data, prompt: promptRef }, earlier.data.reusedFrom?.decisionId ?? earlier.id);
        return { kind: 'answered', call, answer: checked.answer, restore: privacy.restore };
      }
    }

    // What the model said when no answer comes of it: kept with its cost.
    const unusableCall = (reason: string, replies: Array<{ answer: AiAnswer; problems: string[] }>): UnusableCall => {
      const usage = replies.map((r) => r.answer.usage).reduce(addUsage);
      const { provider, model, input } = replies[0]!.answer;
      return {
        prompt: promptRef,
        provider,
        model,
        input,
        reason,
        answers: replies.map((r) => ({ raw: r.answer.raw, problems: r.problems, ...(r.answer.input !== input ? { input: r.answer.input } : {}) })),
        usage,
        costUsd: costOfReplies(replies.map((r) => r.answer)),
        latencyMs: replies.reduce((sum, r) => sum + r.answer.latencyMs, 0),
      };
    };
    const unusable = (reason: string, replies: Array<{ answer: AiAnswer; problems: string[] }>): ConsultationResult<T> => ({
      kind: 'unusable',
      call: unusableCall(reason, replies),
      message: replies.map((r, i) => `reply ${i + 1}: ${JSON.stringify(r.answer.raw)}`).join('; '),
    });

    // Every reply so far that became no answer, with why: the first of a repair, and one that ran out of room.
    const earlierReplies: Array<{ answer: AiAnswer; problems: string[] }> = [];
    /** Set once a reply ran out of room: every later request of this decision (the repair too) gets the larger room. */
    let moreRoom = false;
    const ask = async (options: AnswerOptions = {}): Promise<AiAnswer> => {
      try {
        return await this.concurrency.run(portal.portalId, () => this.ai.answer(rendered, privacy.facts, { ...options, ...(moreRoom ? { moreRoom } : {}) }));
      } catch (error) {
        // A reply that ran out of room (a thinking model can spend it all before answering) gets one more try with more.
        if (!(error instanceof UnusableAnswerError) || error.reason !== 'no-room' || moreRoom) throw error;
        earlierReplies.push({ answer: error.answer, problems: [error.message] });
        moreRoom = true;
        return await this.concurrency.run(portal.portalId, () => this.ai.answer(rendered, privacy.facts, { ...options, moreRoom }));
      }
    };

    let answer: AiAnswer;
    let checked: CheckedAnswer<T>;
    /** The first answer and why it failed validation, when it needed the repair. */
    let rejected: { answer: AiAnswer; problems: string[] } | undefined;
    try {
      answer = await ask();
      checked = checkAnswer(request.answer, answer.output);
      if (!checked.ok) {
        // One repair attempt that quotes the validation errors, then no answer.
        const first = { answer, problems: checked.problems };
        rejected = first;
        earlierReplies.push(first);
        answer = await ask({ repair: { previous: first.answer, problems: first.problems } });
        checked = checkAnswer(request.answer, answer.output);
        if (!checked.ok) return unusable(`${answer.provider} answer failed validation twice: ${checked.problems.join('; ')}`, [...earlierReplies, { answer, problems: checked.problems }]);
      }
    } catch (error) {
      if (error instanceof UnusableAnswerError) return unusable(error.message, [...earlierReplies, { answer: error.answer, problems: [error.message] }]);
      if (error instanceof AiProviderError) {
        const outcome = error.retriable ? Outcome.retry(error.message, error.retryAfterMs) : Outcome.deadLetter(error.message);
        const paid = earlierReplies.length > 0 ? unusableCall(`paid replies before the call failed: ${error.message}`, earlierReplies) : undefined;
        return {
          kind: 'error',
          outcome,
          aboutThisRequest: error.category === 'request-too-large',
          ...(error.isConfiguration ? { configurationError: error } : {}),
          ...(paid ? { paid } : {}),
          provider: this.ai.name,
          model: this.ai.modelFor(rendered),
          prompt: promptRef,
        };
      }
      throw error;
    }

    // Every reply was paid for: the one that ran out of room and the rejected first answer included.
    const usage = [...earlierReplies.map((r) => r.answer.usage), answer.usage].reduce(addUsage);
    const call: AnsweredCall = {
      prompt: promptRef,
      provider: answer.provider,
      model: answer.model,
      input: answer.input,
      output: { ...checked.answer } as Record<string, unknown>,
      usage,
      costUsd: costOfReplies([...earlierReplies.map((r) => r.answer), answer]),
      ...(rejected ? { repairedFrom: { output: rejected.answer.output, problems: rejected.problems } } : {}),
      latencyMs: answer.latencyMs,
      ...(answer.label ? { label: answer.label } : {}),
      ...(answer.reasoning ? { reasoning: answer.reasoning } : {}),
    };
    return { kind: 'answered', call, answer: checked.answer, restore: privacy.restore };
  }
}

/**
 * An answer recorded for the same input, reused for another decision or replay:
 * what was asked and answered, by whom, with no usage, no cost and the answer it
 * reuses (`from`). Nothing else of the recorded event is carried over.
 */
export function reusedAnswer(recorded: AnsweredCall, from: string): AnsweredCall {
  const { prompt, provider, model, input, output, label } = recorded;
  return { prompt, provider, model, input, output, ...(label ? { label } : {}), usage: NO_USAGE, costUsd: 0, latencyMs: 0, reusedFrom: { decisionId: from } };
}

/**
 * What a decision's replies cost together: each priced on its own (a price can depend on the one request's
 * length, as Haiku 5.5's long-prompt tier does), then added. The offline rules cost nothing; null when a
 * model's price is unknown.
 */
function costOfReplies(answers: AiAnswer[]): number | null {
  let usd = 0;
  for (const a of answers) {
    if (a.provider === 'offline-rules') continue;
    const cost = estimateCostUsd(a.model, a.usage);
    if (cost === null) return null;
    usd += cost;
  }
  return Math.round(usd * 1_000_000) / 1_000_000;
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    ...(a.cacheCreation1hInputTokens || b.cacheCreation1hInputTokens ? { cacheCreation1hInputTokens: (a.cacheCreation1hInputTokens ?? 0) + (b.cacheCreation1hInputTokens ?? 0) } : {}),
    ...(a.thinkingTokens || b.thinkingTokens ? { thinkingTokens: (a.thinkingTokens ?? 0) + (b.thinkingTokens ?? 0) } : {}),
  };
}
