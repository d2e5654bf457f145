import type { z } from 'zod';
import { TICKET_CATEGORIES, TICKET_PRIORITIES } from '../../portals/portal.entity';
import { listOf, oneOf, patterned, ranged, settingsObject, type CapabilityPrompts, type CapabilitySettings } from '../settings-schema';

const ID = /^\d{1,20}$/;
const OWNER_MESSAGE = 'must be a HubSpot owner id (digits)';
const SLA_HOURS = ranged(0.25, 720, 'must be a number of hours from 0.25 to 720').optional();

/**
 * `serviceRouting`: who handles a triaged ticket and how soon (Service AI). The first
 * rule that matches wins: a ticket of this category (if given) and at least this
 * priority (if given) goes to the owner and/or team; no rule matches →
 * `defaultOwnerId` (absent: the ticket keeps its owner). The SLA task is due
 * `slaHours[priority]` after the decision (defaults: URGENT 1, HIGH 4, MEDIUM 24, LOW 72).
 */
export const SERVICE_ROUTING_SCHEMA = settingsObject({
  defaultOwnerId: patterned(ID, OWNER_MESSAGE).optional(),
  rules: listOf(
    settingsObject({
      category: oneOf(TICKET_CATEGORIES).optional(),
      minPriority: oneOf(TICKET_PRIORITIES).optional(),
      ownerId: patterned(ID, OWNER_MESSAGE).optional(),
      teamId: patterned(ID, 'must be a HubSpot team id (digits)').optional(),
    }),
    50,
  ).optional(),
  slaHours: settingsObject({ URGENT: SLA_HOURS, HIGH: SLA_HOURS, MEDIUM: SLA_HOURS, LOW: SLA_HOURS }).optional(),
});

export type ServiceRoutingSettings = z.infer<typeof SERVICE_ROUTING_SCHEMA>;

export const SERVICE_ROUTING_SETTINGS: CapabilitySettings<ServiceRoutingSettings> = {
  key: 'serviceRouting',
  schema: SERVICE_ROUTING_SCHEMA,
  example: '{ "defaultOwnerId": "123", "slaHours": { "HIGH": 4 } }',
};

/** Service AI's prompt and its versions (apps/enricher/src/capabilities/service-ai/ticket-triage.prompt.ts; a registry test keeps them equal). */
export const SERVICE_AI_PROMPTS: CapabilityPrompts = { id: 'ticket-triage', versions: [1, 2] };
