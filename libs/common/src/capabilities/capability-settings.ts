import type { CapabilityName } from './capability-requirements';
import { LEAD_AI_PROMPTS, LEAD_ROUTING_SETTINGS } from './lead-ai/lead-ai.settings';
import { MANAGEMENT_AI_PROMPTS, MANAGEMENT_AI_SETTINGS } from './management-ai/management-ai.settings';
import { SERVICE_AI_PROMPTS, SERVICE_ROUTING_SETTINGS } from './service-ai/service-ai.settings';
import type { CapabilityPrompts, CapabilitySettings } from './settings-schema';

/** What ingest and the enricher both need to know of a capability's per-portal configuration. */
export interface CapabilityConfiguration {
  /** The settings it reads, if any (`portal.settings[settings.key]`). */
  settings?: CapabilitySettings;
  /** Its prompt's versions, the ones a portal may pin. */
  prompts: CapabilityPrompts;
}

/**
 * Each capability's settings and prompt versions (docs/decisions/0022): the admin API
 * validates `portal.settings` from this list, and the enricher's registry is checked
 * against it. A new capability adds its entry here, next to its catalogue entry.
 */
export const CAPABILITY_CONFIGURATION: Readonly<Record<CapabilityName, CapabilityConfiguration>> = {
  'lead-ai': { settings: LEAD_ROUTING_SETTINGS, prompts: LEAD_AI_PROMPTS },
  'service-ai': { settings: SERVICE_ROUTING_SETTINGS, prompts: SERVICE_AI_PROMPTS },
  'management-ai': { settings: MANAGEMENT_AI_SETTINGS, prompts: MANAGEMENT_AI_PROMPTS },
};

/** The capability that asks with this prompt id (null: none does, e.g. a prompt retired since). */
export function capabilityOfPrompt(promptId: string): CapabilityName | null {
  const found = (Object.entries(CAPABILITY_CONFIGURATION) as Array<[CapabilityName, CapabilityConfiguration]>).find(([, c]) => c.prompts.id === promptId);
  return found ? found[0] : null;
}

/** Every capability's settings, in catalogue order. */
export function capabilitySettings(): CapabilitySettings[] {
  return Object.values(CAPABILITY_CONFIGURATION).flatMap((c) => (c.settings ? [c.settings] : []));
}

const PINS_MESSAGE = 'promptVersions must map prompt ids to versions, like { "lead-scoring": 1 }';

/**
 * The problems with `settings.promptVersions` (empty when valid): an object of at
 * most 50 pins, each naming a prompt some capability asks with and a version of it
 * that exists, so a typo is refused when it is set instead of failing every
 * decision of the portal later. Pure.
 */
export function promptPinProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [PINS_MESSAGE];
  const pins = Object.entries(value);
  if (pins.length > 50 || pins.some(([, version]) => !Number.isInteger(version) || (version as number) < 1)) return [PINS_MESSAGE];
  const prompts = Object.values(CAPABILITY_CONFIGURATION).map((c) => c.prompts);
  return pins.flatMap(([id, version]) => {
    const prompt = prompts.find((p) => p.id === id);
    if (!prompt) return [`promptVersions names no prompt "${id}" (prompts: ${prompts.map((p) => p.id).join(', ')})`];
    if (!prompt.versions.includes(version as number)) return [`promptVersions pins ${id}@${version}, which does not exist (versions: ${prompt.versions.join(', ')})`];
    return [];
  });
}
