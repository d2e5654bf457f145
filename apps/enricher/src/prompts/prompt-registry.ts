import { LEAD_SCORING_V1, LEAD_SCORING_V2, LEAD_SCORING_V3, LEAD_SCORING_V4, LEAD_SCORING_V5 } from './lead-scoring.prompt';
import { TICKET_TRIAGE_V1, TICKET_TRIAGE_V2 } from './ticket-triage.prompt';
import type { PromptDefinition } from './prompt';

/** Every version of every prompt that decisions may be made with, oldest first. */
const PROMPTS: Record<string, readonly PromptDefinition[]> = {
  'lead-scoring': [LEAD_SCORING_V1, LEAD_SCORING_V2, LEAD_SCORING_V3, LEAD_SCORING_V4, LEAD_SCORING_V5],
  'ticket-triage': [TICKET_TRIAGE_V1, TICKET_TRIAGE_V2],
};

export type PromptChoice = { ok: true; prompt: PromptDefinition } | { ok: false; reason: string };

/**
 * The version a portal uses: the one it pins (settings.promptVersions), else the
 * latest. A pin to a version that does not exist is an error, not a silent upgrade.
 */
export function selectPrompt(id: string, pins: Record<string, number> | undefined): PromptChoice {
  const versions = PROMPTS[id];
  if (!versions || versions.length === 0) return { ok: false, reason: `no prompt ${id}` };
  const pinned = pins?.[id];
  if (pinned === undefined) return { ok: true, prompt: versions[versions.length - 1]! };
  const prompt = versions.find((p) => p.version === pinned);
  if (!prompt) return { ok: false, reason: `the portal pins ${id}@${pinned}, which does not exist (versions: ${versions.map((p) => p.version).join(', ')})` };
  return { ok: true, prompt };
}

/** Every version of every prompt, for checks that must hold for all of them (each runs against the double, each model has a price). */
export function allPromptVersions(): PromptDefinition[] {
  return Object.values(PROMPTS).flat();
}
