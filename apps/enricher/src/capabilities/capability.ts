import type { CapabilityName, CapabilityRequirements, CapabilitySettings, CrmObjectType, EventEnvelope, Portal, WritebackCommand } from '@app/common';
import type { AssociatedRecordIds, AssociationRole } from '../context/crm-context';
import type { PromptDefinition } from '../prompts/prompt';
import type { AnswerSchema } from './answer-schema';

/** What a capability needs to plan its writebacks from a validated answer. */
export interface WritebackPlanInput<T> {
  decisionId: string;
  /** What triggered the decision: a subscription type (`ticket.creation`) or an event type (`ObjectChanged`). */
  triggerType: string;
  objectId: string;
  /** The trigger itself, when there is one (a replay applies a decision without it). */
  trigger?: EventEnvelope;
  /** The answer with the real values back in its text (placeholders restored). */
  answer: T;
  portal: Portal;
  decidedAt: Date;
  /**
   * The records its notes and tasks also go on, as the context found them (the roles
   * the capability `associates`); empty when it found none, or when there is no
   * context to find them in.
   */
  associated: AssociatedRecordIds;
  /** The decision's facts as read, real values, flat (flattenContext: `dealstage`, `derived.attention`): a task's owner comes from here. */
  facts: Readonly<Record<string, string>>;
}

/** Which triggers a capability answers, besides the records a backfill lists of its object type. */
export interface CapabilityTriggers {
  /** App webhook subscription types whose event starts a decision, e.g. `contact.creation`. */
  webhooks: readonly string[];
  /**
   * A change to one of its records (`ObjectChanged`, these properties changed): undefined
   * to decide it again, else why not (recorded as skipped). Absent: changes are not its.
   */
  change?(changedProperties: readonly string[]): string | undefined;
  /** A workflow's "Send a webhook" action on one of its records starts a decision. */
  workflows: boolean;
  /** The daily pipeline review's requests (DealReviewRequested) for its records start a decision. */
  reviews?: boolean;
}

/**
 * One AI capability as a plug-in (docs/decisions/0022): everything it is lives in its
 * folder, `capabilities/<name>/`, and the registry (capability-registry.ts) lists it;
 * the trigger router, the decision flow, replays, backfills and the offline provider
 * read it from there and name no capability themselves.
 */
export interface Capability<T extends object> {
  name: CapabilityName;
  /** The records it decides about: the triggering record's type. */
  objectType: CrmObjectType;
  /** Its HubSpot properties, scopes and webhook subscriptions: the catalogue in libs/common, which onboarding reads too. */
  requirements: CapabilityRequirements;
  triggers: CapabilityTriggers;
  /** Its prompt and every version of it, oldest first; each version declares the context it needs. */
  promptId: string;
  prompts: readonly PromptDefinition[];
  /** The answer's one definition: the versions' JSON schema and the answer's check both come from it. */
  answer: AnswerSchema<T>;
  /**
   * The transparent rules that answer without a model (no ANTHROPIC_API_KEY), from the
   * pseudonymised facts. Their answer passes the same check as a model's.
   */
  offlineRules(facts: Record<string, string>): T;
  /**
   * The per-portal settings it reads (`portal.settings[settings.key]`): their one
   * definition in libs/common (type and check), which the admin API validates with.
   */
  settings?: CapabilitySettings;
  /**
   * The records besides its own that this trigger's notes and tasks go on: the
   * context assembler finds their ids (never shown to the model). None for a trigger
   * whose writebacks create no note or task, so no call is spent on them.
   */
  associates(triggerType: string): readonly AssociationRole[];
  /**
   * Facts it computes from the record without the model, which its prompts may
   * declare (ContextSpec.derived) and its writebacks read (`derived.<name>`).
   * Deterministic for a trigger and a record.
   */
  derive?(input: { trigger: EventEnvelope; record: Readonly<Record<string, string>>; portal: Portal }): Record<string, string>;
  /** The answer's text fields with placeholders replaced by the real values. */
  restore(answer: T, restore: (text: string) => string): T;
  planWritebacks(input: WritebackPlanInput<T>): WritebackCommand[];
}
