import type { z } from 'zod';
import { PERSONAS } from '../capability-requirements';
import { listOf, oneOf, patterned, ranged, settingsObject, type CapabilityPrompts, type CapabilitySettings } from '../settings-schema';

const OWNER_ID = /^\d{1,20}$/;
const OWNER_MESSAGE = 'must be a HubSpot owner id (digits)';

/**
 * `leadRouting`: who follows up a new lead and how soon (Lead AI). The first rule
 * that matches wins: a lead with at least `minScore` and (if given) this persona goes
 * to `ownerId`; no rule matches → `defaultOwnerId` (absent: the task is unassigned).
 * The follow-up task is due `followUpHours` after the decision (default 24).
 */
export const LEAD_ROUTING_SCHEMA = settingsObject({
  defaultOwnerId: patterned(OWNER_ID, OWNER_MESSAGE).optional(),
  rules: listOf(
    settingsObject({
      minScore: ranged(0, 100, 'must be a whole number from 0 to 100', true).optional(),
      persona: oneOf(PERSONAS).optional(),
      ownerId: patterned(OWNER_ID, OWNER_MESSAGE),
    }),
    50,
  ).optional(),
  followUpHours: ranged(1, 24 * 30, 'must be a whole number of hours from 1 to 720', true).optional(),
});

export type LeadRoutingSettings = z.infer<typeof LEAD_ROUTING_SCHEMA>;

export const LEAD_ROUTING_SETTINGS: CapabilitySettings<LeadRoutingSettings> = {
  key: 'leadRouting',
  schema: LEAD_ROUTING_SCHEMA,
  example: '{ "defaultOwnerId": "123", "followUpHours": 24 }',
};

/** Lead AI's prompt and its versions (apps/enricher/src/capabilities/lead-ai/lead-scoring.prompt.ts; a registry test keeps them equal). */
export const LEAD_AI_PROMPTS: CapabilityPrompts = { id: 'lead-scoring', versions: [1, 2, 3, 4, 5] };
