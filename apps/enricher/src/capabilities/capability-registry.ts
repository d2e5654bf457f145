import { isEventOfType, type CapabilityName, type EventEnvelope } from '@app/common';
import type { OfflineRules } from '../ai/offline-rules.provider';
import type { PromptDefinition } from '../prompts/prompt';
import type { Capability } from './capability';
import { LEAD_AI } from './lead-ai/lead-ai.capability';
import { MANAGEMENT_AI } from './management-ai/management-ai.capability';
import { SERVICE_AI } from './service-ai/service-ai.capability';

/** A capability whatever its answer: the registry hands them out to code that never looks inside the answer. */
export type AnyCapability = Capability<object>;
const listed = <T extends object>(capability: Capability<T>): AnyCapability => capability as unknown as AnyCapability;

/**
 * Every capability of the platform (docs/decisions/0022). Adding one is a folder
 * `capabilities/<name>/` and a line here, plus two entries in libs/common, which
 * ingest reads without the enricher: its properties, scopes and subscriptions in the
 * catalogue (onboarding), its settings and prompt versions in CAPABILITY_CONFIGURATION
 * (the admin API). Everything else reads this list: the trigger router, backfills,
 * replays, the prompt versions a portal can pin, and the offline provider.
 */
export const CAPABILITIES: readonly AnyCapability[] = [
  listed(LEAD_AI),
  listed(SERVICE_AI),
  listed(MANAGEMENT_AI),
];

export function capabilityNamed(name: string): AnyCapability | undefined {
  return CAPABILITIES.find((c) => c.name === (name as CapabilityName));
}

/** The capability that asks with this prompt id. */
export function capabilityForPrompt(promptId: string): AnyCapability | undefined {
  return CAPABILITIES.find((c) => c.promptId === promptId);
}

/** Why a review request is skipped when no capability answers the daily review of deals. */
export const NO_DEAL_REVIEWS = 'no capability answers the daily review of deals';

/** What becomes of a trigger: a capability decides it, or it is skipped with the reason; `undefined`: no capability's kind of trigger. */
export type TriggerRoute = { kind: 'decide'; capability: AnyCapability; triggerType: string; objectId: string } | { kind: 'skip'; reason: string };

/**
 * The capability a CRM trigger goes to (pure). Webhooks by subscription type,
 * changes and workflow actions by the record's object type (a change only when the
 * capability's `triggers.change` accepts the changed properties). Other event types
 * (erasure, backfills, schedules) are the router's own business.
 */
export function routeTrigger(event: EventEnvelope): TriggerRoute | undefined {
  if (isEventOfType(event, 'DealReviewRequested')) {
    const capability = CAPABILITIES.find((c) => c.objectType === 'deals' && c.triggers.reviews);
    return capability ? { kind: 'decide', capability, triggerType: event.type, objectId: event.data.dealId } : { kind: 'skip', reason: NO_DEAL_REVIEWS };
  }
  const data = event.data as { subscriptionType?: string; objectType?: string; objectId?: string; properties?: Record<string, unknown> };
  switch (event.type) {
    case 'WebhookEventReceived': {
      const capability = CAPABILITIES.find((c) => c.triggers.webhooks.includes(data.subscriptionType ?? ''));
      return capability ? { kind: 'decide', capability, triggerType: data.subscriptionType!, objectId: data.objectId! } : undefined;
    }
    case 'ObjectChanged': {
      const capability = CAPABILITIES.find((c) => c.objectType === data.objectType && c.triggers.change);
      if (!capability) return { kind: 'skip', reason: `no handler for changes to ${data.objectType}` };
      const refused = capability.triggers.change!(Object.keys(data.properties ?? {}));
      return refused ? { kind: 'skip', reason: refused } : { kind: 'decide', capability, triggerType: event.type, objectId: data.objectId! };
    }
    case 'WorkflowWebhookReceived': {
      const capability = CAPABILITIES.find((c) => c.objectType === data.objectType && c.triggers.workflows);
      return capability ? { kind: 'decide', capability, triggerType: event.type, objectId: data.objectId! } : { kind: 'skip', reason: `no handler for workflow actions on ${data.objectType}` };
    }
    default:
      return undefined;
  }
}

export type PromptChoice = { ok: true; prompt: PromptDefinition } | { ok: false; reason: string };

/**
 * The version a portal uses: the one it pins (settings.promptVersions), else the
 * latest. A pin to a version that does not exist is an error, not a silent upgrade.
 */
export function selectPrompt(id: string, pins: Record<string, number> | undefined): PromptChoice {
  const versions = capabilityForPrompt(id)?.prompts;
  if (!versions || versions.length === 0) return { ok: false, reason: `no prompt ${id}` };
  const pinned = pins?.[id];
  if (pinned === undefined) return { ok: true, prompt: versions[versions.length - 1]! };
  const prompt = versions.find((p) => p.version === pinned);
  if (!prompt) return { ok: false, reason: `the portal pins ${id}@${pinned}, which does not exist (versions: ${versions.map((p) => p.version).join(', ')})` };
  return { ok: true, prompt };
}

/** Every version of every prompt, for checks that must hold for all of them (each runs against the double, each model has a price). */
export function allPromptVersions(): PromptDefinition[] {
  return CAPABILITIES.flatMap((c) => c.prompts);
}

/** Each capability's offline rules by its prompt id, for the offline provider. */
export function offlineRulesByPrompt(): OfflineRules {
  return new Map(CAPABILITIES.map((c) => [c.promptId, c.offlineRules]));
}
