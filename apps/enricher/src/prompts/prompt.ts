import { createHash } from 'node:crypto';
import type { CrmObjectType } from '@app/common';
import type { ContextSpec } from '../context/crm-context';

/** How hard the model thinks (`output_config.effort`): a prompt version's choice; which models accept it is the model catalogue's (ai/model-catalogue.ts). */
export type Effort = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** What a prompt is rendered from: the minimised, pseudonymised context of one record. */
export interface PromptInput {
  objectType: CrmObjectType;
  objectId: string;
  /** Flat facts (see flattenContext), already pseudonymised. */
  facts: Record<string, string>;
}

/**
 * A prompt is a versioned artefact in the repository: change the text, the schema,
 * the context or the parameters and the version goes up, so every decision can
 * name exactly what produced it.
 */
export interface PromptDefinition {
  id: string;
  version: number;
  /** The model this version was written and tested for; null (versions before the model table): the configured ANTHROPIC_MODEL. */
  model: string | null;
  /** How hard a thinking model works on it (`output_config.effort`); absent: the model's own default. */
  effort?: Effort;
  /** Room for the answer itself; a thinking model gets room to think on top (see the request builder). */
  maxTokens: number;
  system: string;
  tool: { name: string; description: string; inputSchema: Record<string, unknown> };
  /** The only CRM data this prompt may see (data minimisation). */
  context: ContextSpec;
  renderUser(input: PromptInput): string;
}

export interface RenderedPrompt {
  promptId: string;
  promptVersion: number;
  system: string;
  user: string;
  tool: PromptDefinition['tool'];
  maxTokens: number;
  model: string | null;
  effort?: Effort;
  /** Identifies the exact request: equal hashes mean an equal input to the same prompt version. */
  hash: string;
}

export function renderPrompt(prompt: PromptDefinition, input: PromptInput): RenderedPrompt {
  const user = prompt.renderUser(input);
  const hash = createHash('sha256')
    // effort joins the hash only where a version sets it, so earlier versions keep their hashes (and their reuse).
    .update(JSON.stringify([prompt.id, prompt.version, prompt.system, user, prompt.tool, prompt.maxTokens, prompt.model, ...(prompt.effort ? [prompt.effort] : [])]))
    .digest('hex');
  return {
    promptId: prompt.id,
    promptVersion: prompt.version,
    system: prompt.system,
    user,
    tool: prompt.tool,
    maxTokens: prompt.maxTokens,
    model: prompt.model,
    ...(prompt.effort ? { effort: prompt.effort } : {}),
    hash,
  };
}
