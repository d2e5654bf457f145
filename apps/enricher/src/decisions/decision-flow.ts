import { Inject, Injectable } from '@nestjs/common';
import {
  capabilityOffReason,
  CLOCK,
  DEFAULT_CHANGE_DECISIONS_PER_RECORD_PER_DAY,
  EventStore,
  isEventOfType,
  Outcome,
  PortalAccess,
  recordSubject,
  StreamIds,
  triggerSkipped,
  TOPICS,
  type Clock,
  type EventEnvelope,
  type HandlerOutcome,
  type Portal,
  type TopicNames,
} from '@app/common';
import { ContextAssembler } from '../context/context-assembler';
import { flattenContext, type CrmContext } from '../context/crm-context';
import type { PromptDefinition } from '../prompts/prompt';
import type { Capability } from '../capabilities/capability';
import { selectPrompt } from '../capabilities/capability-registry';
import { writebackRequested } from '../writebacks/writeback-commands';
import { DecisionMaker, decisionIdFor } from './decision-maker';
import { DecisionRecords } from './decision-records';
import { ModelRefusalAlerts } from './model-refusal-alerts';

export interface DecisionTrigger {
  trigger: EventEnvelope;
  /** How the decision names the trigger: a subscription type or an event type. */
  triggerType: string;
  objectId: string;
}

/**
 * One trigger through one capability: the portal's prompt version, the CRM
 * context, the decision, and ContextFetched → DecisionMade → WritebackRequested
 * recorded in one transaction (the commands reach the writer through the outbox).
 * A record HubSpot no longer has is recorded as skipped, not an error, and so is
 * a change past the portal's daily cap of change decisions per record.
 */
@Injectable()
export class DecisionFlow {
  constructor(
    private readonly eventStore: EventStore,
    private readonly portals: PortalAccess,
    private readonly contexts: ContextAssembler,
    private readonly decisions: DecisionMaker,
    private readonly records: DecisionRecords,
    private readonly alerts: ModelRefusalAlerts,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run<T extends object>(capability: Capability<T>, { trigger, triggerType, objectId }: DecisionTrigger): Promise<HandlerOutcome> {
    const found = await this.portals.get(trigger.portalId);
    if (!found || found.portal.status !== 'active') return Outcome.drop(`portal ${trigger.portalId} is ${found ? found.portal.status : 'not registered'}`);
    const { portal, token } = found;
    // The portal's token lacks the capability's scopes: it stays off until they are granted.
    const off = capabilityOffReason(portal, capability.name);
    if (off) {
      await this.eventStore.append({ streamId: StreamIds.crmObject(trigger.portalId, capability.objectType, objectId), events: [triggerSkipped(trigger, triggerType, off, this.clock())] });
      return Outcome.drop(off);
    }
    const choice = selectPrompt(capability.promptId, portal.settings.promptVersions);
    if (!choice.ok) return Outcome.deadLetter(choice.reason);
    const prompt = choice.prompt;
    const streamId = StreamIds.crmObject(trigger.portalId, capability.objectType, objectId);
    const unread = changeNotRead(trigger, prompt);
    if (unread) {
      await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, triggerType, unread, this.clock())] });
      return Outcome.drop(unread);
    }
    // A redelivered trigger whose decision is already recorded is done: never pay twice.
    if (await this.eventStore.has(decisionIdFor(trigger, prompt))) return Outcome.done();
    const capped = await this.changeCapReached(trigger, streamId, `${capability.objectType} ${objectId}`, portal);
    if (capped) {
      await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, triggerType, capped, this.clock())] });
      return Outcome.drop(capped);
    }

    // The record's data key is made ready while HubSpot is read: the append then needs no key statement (docs/decisions/0019).
    const record = recordSubject(capability.objectType, objectId);
    const keysReady = [this.eventStore.personalData?.prefetch(trigger.portalId, [record], this.clock())];
    const credentials = { portalId: trigger.portalId, accessToken: token, plan: portal.settings.hubspot };
    const assembled = await this.contexts.assemble(credentials, capability.objectType, objectId, prompt.context, capability.associates(triggerType));
    if (assembled.kind === 'failed') {
      const failure = assembled.failure;
      switch (failure.kind) {
        case 'retry':
          return Outcome.retry(`${assembled.call}: ${failure.reason}`, failure.retryAfterMs, failure.throttled);
        case 'not-found':
          await this.eventStore.append({
            streamId,
            events: [triggerSkipped(trigger, triggerType, `${capability.objectType} ${objectId} no longer exists (deleted or merged): ${failure.reason}`, this.clock())],
          });
          return Outcome.done();
        case 'unauthorized':
          // A 401 already had its one renewal in the door (a replaced or refreshed token): this one is final.
          return Outcome.deadLetter(`${assembled.call}: ${failure.reason}`);
        case 'rejected':
          return Outcome.deadLetter(`${assembled.call}: ${failure.reason}`);
      }
    }

    const now = this.clock();
    // What the capability computes from the record without the model (a deal's review findings): part of the snapshot, so replays see it too.
    const derived = capability.derive?.({ trigger, record: assembled.context.record, portal });
    const context: CrmContext = derived ? { ...assembled.context, derived } : assembled.context;
    // Whose personal data the decision's events hold: sealed under each of their keys (docs/decisions/0019).
    const subjects = subjectsOf(context);
    // The contacts a ticket's context quotes: their keys are made ready while the model answers.
    keysReady.push(this.eventStore.personalData?.prefetch(trigger.portalId, subjects.filter((s) => s !== record), now));
    const decided = await this.decisions.decide({ trigger, triggerType, portal, prompt, context, answer: capability.answer, now });
    if (decided.kind === 'not-decided') {
      if (decided.configurationError) await this.alerts.raiseModelRefusal(trigger, portal, decided.configurationError);
      // Replies paid for before the call failed are recorded with their cost, whatever happens to the trigger next.
      if (decided.paid) await this.eventStore.append({ streamId, events: [decided.paid.contextFetched, decided.paid.failure], subjects });
      return decided.outcome;
    }
    if (decided.kind === 'failed') {
      // Keep what the model said and cost before the trigger goes to the dead-letter topic.
      const recorded = await this.eventStore.append({ streamId, events: [decided.contextFetched, decided.failure], subjects });
      if (recorded.kind === 'conflict') return Outcome.retry(`stream ${recorded.streamId} changed concurrently`);
      return decided.outcome;
    }
    const { contextFetched, decision } = decided;

    const writebacks = capability
      .planWritebacks({
        decisionId: decision.id,
        triggerType,
        objectId,
        answer: capability.restore(decided.answer, decided.restore),
        portal,
        decidedAt: now,
        associated: context.associated ?? {},
        trigger,
        facts: flattenContext(context),
      })
      .map((command) => writebackRequested(decision, command, now));

    await Promise.all(keysReady);
    const result = await this.eventStore.appendAll([
      { streamId, events: [contextFetched], subjects },
      { streamId, events: [decision], publishTo: this.topics.decisions, subjects },
      { streamId, events: writebacks, publishTo: this.topics.writebacks, subjects },
    ]);
    if (result.kind === 'conflict') return Outcome.retry(`stream ${result.streamId} changed concurrently`);
    return Outcome.done();
  }

  /** Why a change may not re-decide its record now: it already did so the portal's number of times in 24 hours. */
  private async changeCapReached(trigger: EventEnvelope, streamId: string, record: string, portal: Portal): Promise<string | undefined> {
    if (!isEventOfType(trigger, 'ObjectChanged')) return undefined;
    const cap = portal.settings.aiLimits?.changeDecisionsPerRecordPerDay ?? DEFAULT_CHANGE_DECISIONS_PER_RECORD_PER_DAY;
    if (cap === 0) return `the portal lets no change re-decide a record (aiLimits.changeDecisionsPerRecordPerDay = 0)`;
    const count = await this.records.countChangeDecisionsSince(streamId, new Date(this.clock().getTime() - DAY_MS));
    if (count < cap) return undefined;
    return (
      `changes to ${record} caused ${count} decisions in the last 24 hours, the portal's cap (aiLimits.changeDecisionsPerRecordPerDay = ${cap}); ` +
      'a workflow that edits what the AI reads whenever the AI writes back would otherwise cause a decision and a writeback per round'
    );
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The data subjects a decision's context is about: its record and every contact
 * whose fields it read or whose record its notes and tasks go on (a ticket's
 * requester, a deal's primary contact). A contact's erasure then also erases the tickets' snapshots that
 * quote it (docs/decisions/0019).
 */
export function subjectsOf(context: Pick<CrmContext, 'objectType' | 'objectId' | 'related' | 'associated'>): string[] {
  const subjects = [recordSubject(context.objectType, context.objectId)];
  for (const contact of context.related.contacts ?? []) subjects.push(recordSubject('contacts', contact.id));
  if (context.associated?.requester) subjects.push(recordSubject('contacts', context.associated.requester));
  // A deal's primary contact: the review's note and task (the summary, real names restored) go on their record too.
  if (context.associated?.primaryContact) subjects.push(recordSubject('contacts', context.associated.primaryContact));
  return [...new Set(subjects)];
}

/**
 * Why a change does not warrant a new decision: none of the changed properties is
 * one the prompt reads, so the model would see the same record and answer the same.
 * Undefined for a change it reads, and for triggers that are not changes.
 */
export function changeNotRead(trigger: EventEnvelope, prompt: Pick<PromptDefinition, 'id' | 'version' | 'context'>): string | undefined {
  if (!isEventOfType(trigger, 'ObjectChanged')) return undefined;
  const changed = Object.keys(trigger.data.properties);
  if (changed.some((property) => prompt.context.record.includes(property))) return undefined;
  return `${prompt.id}@${prompt.version} reads none of the changed properties (${changed.join(', ')})`;
}
