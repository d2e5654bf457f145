import { TICKET_CATEGORIES } from '../portals/portal.entity';
import type { CrmObjectType } from '../events/event-types';

/**
 * What each capability needs from a portal and writes into it: the one list that
 * onboarding (scopes, property bootstrap, webhook subscriptions), the writer's
 * `property-bootstrap-needed` alert and the docs read, so they cannot disagree.
 * The enricher's writebacks name their properties from here.
 */

export const CAPABILITY_NAMES = ['lead-ai', 'service-ai', 'management-ai'] as const;
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** Lead AI's personas (ai_persona's options). */
export const PERSONAS = ['decision_maker', 'influencer', 'practitioner', 'researcher', 'unknown'] as const;
export type Persona = (typeof PERSONAS)[number];

/** Service AI's sentiments (ai_sentiment's options). */
export const SENTIMENTS = ['positive', 'neutral', 'frustrated', 'angry'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

/**
 * Why a deal stalls (ai_stall_reason's options): Management AI picks one, `none` for
 * a deal that is moving, `other` with its own words in the summary.
 */
export const STALL_REASONS = ['none', 'no_recent_activity', 'no_next_step', 'close_date_slipped', 'no_decision_maker', 'budget_or_pricing', 'competitor', 'waiting_on_customer', 'missing_information', 'other'] as const;
export type StallReason = (typeof STALL_REASONS)[number];

/** A HubSpot property type and the field type it is created with (HubSpot's pairs). */
export type PropertyShape =
  | { type: 'number'; fieldType: 'number'; min?: number; max?: number }
  | { type: 'string'; fieldType: 'text' | 'textarea' }
  | { type: 'enumeration'; fieldType: 'select'; options: ReadonlyArray<{ value: string; label: string }> }
  | { type: 'bool'; fieldType: 'booleancheckbox' };

export type CapabilityProperty = PropertyShape & {
  objectType: CrmObjectType;
  name: string;
  label: string;
  description: string;
};

/** A scope the capability needs: a name, or alternatives any one of which will do. */
export type ScopeRequirement = string | readonly string[];

export interface CapabilityRequirements {
  name: CapabilityName;
  title: string;
  /** The property group the capability's properties are created in, per object type. */
  propertyGroup: { name: string; label: string };
  properties: readonly CapabilityProperty[];
  /** Scopes its reads and writes need (HubSpot scope names). */
  scopes: readonly ScopeRequirement[];
  /** App webhook subscriptions that trigger it (subscriptionType, and the properties of a propertyChange). */
  subscriptions: ReadonlyArray<{ subscriptionType: string; propertyName?: string; why: string }>;
}

const options = (values: readonly string[]) => values.map((value) => ({ value, label: value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()) }));

/** Contact properties whose change re-scores a lead (what Lead AI's prompt reads about the role and the company). */
export const LEAD_RESCORE_PROPERTIES = ['jobtitle', 'company', 'industry', 'numemployees', 'lifecyclestage', 'hs_lead_status', 'message', 'website'] as const;

const AI_GROUP = { name: 'ai_insights', label: 'AI insights' };

export const LEAD_AI_REQUIREMENTS: CapabilityRequirements = {
  name: 'lead-ai',
  title: 'Lead AI (score, persona and follow-up of new contacts)',
  propertyGroup: AI_GROUP,
  properties: [
    { objectType: 'contacts', name: 'ai_lead_score', label: 'AI lead score', description: 'How likely the contact is to buy, 0–100, by hubspot-ai.', type: 'number', fieldType: 'number', min: 0, max: 100 },
    { objectType: 'contacts', name: 'ai_persona', label: 'AI persona', description: "The contact's buying role, by hubspot-ai.", type: 'enumeration', fieldType: 'select', options: options(PERSONAS) },
    { objectType: 'contacts', name: 'ai_summary', label: 'AI summary', description: 'Why the contact got its score, by hubspot-ai.', type: 'string', fieldType: 'textarea' },
    { objectType: 'contacts', name: 'ai_pain_points', label: 'AI pain points', description: 'Pain points the contact showed, separated by semicolons, by hubspot-ai.', type: 'string', fieldType: 'textarea' },
    { objectType: 'contacts', name: 'ai_recommended_action', label: 'AI recommended action', description: 'What the owner should do next, by hubspot-ai.', type: 'string', fieldType: 'textarea' },
  ],
  scopes: [
    'crm.objects.contacts.read',
    'crm.objects.contacts.write',
    'crm.objects.companies.read',
    'crm.objects.deals.read',
    'crm.schemas.contacts.read',
    'crm.schemas.contacts.write',
    'crm.objects.owners.read',
  ],
  subscriptions: [
    { subscriptionType: 'contact.creation', why: 'scores every new contact' },
    ...LEAD_RESCORE_PROPERTIES.map((propertyName) => ({ subscriptionType: 'contact.propertyChange', propertyName, why: 're-scores the contact when what Lead AI reads changes' })),
    { subscriptionType: 'contact.privacyDeletion', why: "erases a deleted contact's personal data (GDPR)" },
  ],
};

export const SERVICE_AI_REQUIREMENTS: CapabilityRequirements = {
  name: 'service-ai',
  title: 'Service AI (triage, reply draft and SLA task of new tickets)',
  propertyGroup: AI_GROUP,
  properties: [
    { objectType: 'tickets', name: 'ai_category', label: 'AI category', description: "The ticket's category, by hubspot-ai.", type: 'enumeration', fieldType: 'select', options: options(TICKET_CATEGORIES) },
    { objectType: 'tickets', name: 'ai_sentiment', label: 'AI sentiment', description: "The customer's mood, by hubspot-ai.", type: 'enumeration', fieldType: 'select', options: options(SENTIMENTS) },
    { objectType: 'tickets', name: 'ai_summary', label: 'AI summary', description: 'What the customer needs, by hubspot-ai.', type: 'string', fieldType: 'textarea' },
  ],
  scopes: [
    // HubSpot grants tickets access as the legacy `tickets` scope or the granular ones.
    ['tickets', 'crm.objects.tickets.read'],
    ['tickets', 'crm.objects.tickets.write'],
    'crm.objects.contacts.read',
    ['crm.schemas.tickets.read', 'tickets'],
    ['crm.schemas.tickets.write', 'tickets'],
    'crm.objects.owners.read',
  ],
  subscriptions: [
    { subscriptionType: 'ticket.creation', why: 'triages every new ticket' },
    { subscriptionType: 'ticket.propertyChange', propertyName: 'subject', why: 're-triages when the customer changes the ticket' },
    { subscriptionType: 'ticket.propertyChange', propertyName: 'content', why: 're-triages when the customer changes the ticket' },
  ],
};

/** Deal properties whose change re-assesses a deal between reviews (what moves a deal: its stage, amount, close date and owner). */
export const DEAL_REASSESS_PROPERTIES = ['dealstage', 'amount', 'closedate', 'hubspot_owner_id'] as const;

export const MANAGEMENT_AI_REQUIREMENTS: CapabilityRequirements = {
  name: 'management-ai',
  title: 'Management AI (daily pipeline review: deal health, stalled deals, digests)',
  propertyGroup: AI_GROUP,
  properties: [
    { objectType: 'deals', name: 'ai_health_score', label: 'AI deal health', description: 'How healthy the deal is, 0–100, by hubspot-ai.', type: 'number', fieldType: 'number', min: 0, max: 100 },
    { objectType: 'deals', name: 'ai_stall_reason', label: 'AI stall reason', description: 'Why the deal stalls (none: it is moving), by hubspot-ai.', type: 'enumeration', fieldType: 'select', options: options(STALL_REASONS) },
    { objectType: 'deals', name: 'ai_attention_flag', label: 'AI needs attention', description: 'The deal needs its owner today, by hubspot-ai.', type: 'bool', fieldType: 'booleancheckbox' },
    { objectType: 'deals', name: 'ai_next_step', label: 'AI next step', description: 'What the owner should do next, by hubspot-ai.', type: 'string', fieldType: 'textarea' },
    { objectType: 'deals', name: 'ai_summary', label: 'AI summary', description: 'Where the deal stands and why, by hubspot-ai.', type: 'string', fieldType: 'textarea' },
  ],
  scopes: [
    'crm.objects.deals.read',
    'crm.objects.deals.write',
    'crm.schemas.deals.read',
    'crm.schemas.deals.write',
    'crm.objects.companies.read',
    'crm.objects.contacts.read',
    // Notes and tasks (the review note, the re-engagement and digest tasks) are created under the contacts write scope.
    'crm.objects.contacts.write',
    'crm.objects.owners.read',
  ],
  subscriptions: [
    ...DEAL_REASSESS_PROPERTIES.map((propertyName) => ({ subscriptionType: 'deal.propertyChange', propertyName, why: 're-assesses the deal between daily reviews when it moves' })),
  ],
};

export const CAPABILITY_REQUIREMENTS: Readonly<Record<CapabilityName, CapabilityRequirements>> = {
  'lead-ai': LEAD_AI_REQUIREMENTS,
  'service-ai': SERVICE_AI_REQUIREMENTS,
  'management-ai': MANAGEMENT_AI_REQUIREMENTS,
};

/** The property a capability writes, by name and object type (throws for one it does not declare: a programming error). */
export function capabilityProperty(capability: CapabilityName, objectType: CrmObjectType, name: string): CapabilityProperty {
  const found = CAPABILITY_REQUIREMENTS[capability].properties.find((p) => p.objectType === objectType && p.name === name);
  if (!found) throw new Error(`${capability} declares no ${objectType} property ${name}`);
  return found;
}

/** The scope requirements of a capability that `granted` does not meet, each said as HubSpot names it ("a or b"). */
export function missingScopes(capability: CapabilityName, granted: readonly string[]): string[] {
  const have = new Set(granted);
  return CAPABILITY_REQUIREMENTS[capability].scopes
    .filter((requirement) => (typeof requirement === 'string' ? !have.has(requirement) : !requirement.some((s) => have.has(s))))
    .map((requirement) => (typeof requirement === 'string' ? requirement : requirement.join(' or ')));
}

/** Which capabilities the granted scopes allow, and what each of the others lacks. */
export function capabilitiesAllowedBy(granted: readonly string[], wanted: readonly CapabilityName[] = CAPABILITY_NAMES): { enabled: CapabilityName[]; blocked: Array<{ capability: CapabilityName; missingScopes: string[] }> } {
  const enabled: CapabilityName[] = [];
  const blocked: Array<{ capability: CapabilityName; missingScopes: string[] }> = [];
  for (const capability of wanted) {
    const missing = missingScopes(capability, granted);
    if (missing.length === 0) enabled.push(capability);
    else blocked.push({ capability, missingScopes: missing });
  }
  return { enabled, blocked };
}

/**
 * Why a capability is off for a portal: its connection recorded the scopes the token
 * lacks (docs/runbook.md#connecting-a-portal); undefined when it is not off (a portal
 * registered before connections were recorded has none). The one sentence every
 * skipped trigger of it records.
 */
export function capabilityOffReason(portal: { portalId: number; connection?: { capabilities?: { blocked: ReadonlyArray<{ capability: string; missingScopes: readonly string[] }> } } }, capability: CapabilityName): string | undefined {
  const blocked = portal.connection?.capabilities?.blocked.find((b) => b.capability === capability);
  return blocked ? `${capability} is off for portal ${portal.portalId}: its token lacks the scopes ${blocked.missingScopes.join(', ')} (grant them, then reconnect)` : undefined;
}

/** The capability that handles records of this object type (undefined: none does). */
export function capabilityForObjectType(objectType: CrmObjectType): CapabilityName | undefined {
  return CAPABILITY_NAMES.find((name) => CAPABILITY_REQUIREMENTS[name].properties.some((p) => p.objectType === objectType));
}

/** Every `ai_` property of an object type, across capabilities (the writer's alert names them). */
export function platformPropertiesOf(objectType: CrmObjectType): CapabilityProperty[] {
  return CAPABILITY_NAMES.flatMap((name) => CAPABILITY_REQUIREMENTS[name].properties.filter((p) => p.objectType === objectType));
}
