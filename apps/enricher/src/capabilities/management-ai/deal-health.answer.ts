import { z } from 'zod';
import { STALL_REASONS, type StallReason } from '@app/common';

export { STALL_REASONS, type StallReason };

/**
 * What Management AI must answer about one open deal: the one definition of both the
 * JSON schema its prompt sends the model and the check of its answer
 * (docs/decisions/0022). Written back as the deal's ai_* properties.
 */
export const DEAL_HEALTH = z.object({
  healthScore: z.number().int().min(0).max(100).describe('0 (lost in all but name) to 100 (moving as it should)'),
  stallReason: z.enum(STALL_REASONS).describe("Why the deal stalls; 'none' when it is moving"),
  attention: z.boolean().describe('True when the owner should act on this deal today'),
  // At least one character: an empty value would clear the property in HubSpot.
  nextStep: z.string().min(1).max(500).describe('One concrete next step for the owner, one sentence'),
  summary: z.string().min(1).max(1000).describe('Where the deal stands and why, at most three sentences'),
});

export type DealHealth = z.infer<typeof DEAL_HEALTH>;
