import type { z } from 'zod';
import { listOf, patterned, ranged, settingsObject, type CapabilityPrompts, type CapabilitySettings } from '../settings-schema';

const ID = /^\d{1,20}$/;
const OWNER_MESSAGE = 'must be a HubSpot owner id (digits)';

/** A stalled deal's re-engagement task is due this many hours after the review, unless the portal says otherwise. */
export const DEFAULT_REENGAGE_WITHIN_HOURS = 24;

/**
 * `managementAi`: what the daily pipeline review does with what it finds (when it
 * runs and when a deal is stale are `review`'s). `reengageWithinHours`: a stalled
 * deal's re-engagement task for its owner is due this long after the review (default
 * 24). `managerOwnerId`: the HubSpot owner who receives the leadership digest (absent:
 * it is recorded and readable in the admin API, not delivered). `pipelineTargets`: the
 * amount each pipeline should hold in open deals, which the leadership digest compares
 * against.
 */
export const MANAGEMENT_AI_SCHEMA = settingsObject({
  reengageWithinHours: ranged(1, 24 * 30, 'must be a whole number of hours from 1 to 720', true).optional(),
  managerOwnerId: patterned(ID, OWNER_MESSAGE).optional(),
  pipelineTargets: listOf(
    settingsObject({
      pipelineId: patterned(/^[A-Za-z0-9_-]{1,64}$/, 'must be a HubSpot pipeline id'),
      amount: ranged(0, 1e13, 'must be an amount from 0 to 10,000,000,000,000'),
    }),
    50,
  ).optional(),
});

export type ManagementAiSettings = z.infer<typeof MANAGEMENT_AI_SCHEMA>;

export const MANAGEMENT_AI_SETTINGS: CapabilitySettings<ManagementAiSettings> = {
  key: 'managementAi',
  schema: MANAGEMENT_AI_SCHEMA,
  example: '{ "managerOwnerId": "123", "reengageWithinHours": 24, "pipelineTargets": [{ "pipelineId": "default", "amount": 500000 }] }',
};

/** Management AI's deal prompt and its versions (apps/enricher/src/capabilities/management-ai/deal-health.prompt.ts; a registry test keeps them equal). */
export const MANAGEMENT_AI_PROMPTS: CapabilityPrompts = { id: 'deal-health', versions: [1] };
