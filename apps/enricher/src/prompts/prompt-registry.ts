import { LEAD_SCORING_V1, LEAD_SCORING_V2 } from './lead-scoring.prompt';
import type { PromptDefinition } from './prompt';

/** Every version of every prompt that decisions may be made with, oldest first. */
const PROMPTS: Record<string, ReadonlyArray<PromptDefinition<never>>> = {
  'lead-scoring': [LEAD_SCORING_V1, LEAD_SCORING_V2] as ReadonlyArray<PromptDefinition<never>>,
};

export type PromptChoice<T> = { ok: true; prompt: PromptDefinition<T> } | { ok: false; reason: string };

/**
 * The version a portal uses: the one it pins (settings.promptVersions), else the
 * latest. A pin to a version that does not exist is an error, not a silent upgrade.
 */
export function selectPrompt<T>(id: string, pins: Record<string, number> | undefined): PromptChoice<T> {
  const versions = PROMPTS[id];
  if (!versions || versions.length === 0) return { ok: false, reason: `no prompt ${id}` };
  const pinned = pins?.[id];
  if (pinned === undefined) return { ok: true, prompt: versions[versions.length - 1] as unknown as PromptDefinition<T> };
  const prompt = versions.find((p) => p.version === pinned);
  if (!prompt) return { ok: false, reason: `the portal pins ${id}@${pinned}, which does not exist (versions: ${versions.map((p) => p.version).join(', ')})` };
  return { ok: true, prompt: prompt as unknown as PromptDefinition<T> };
}
