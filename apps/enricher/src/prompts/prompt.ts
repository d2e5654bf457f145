import { createHash } from 'node:crypto';
import type { CrmObjectType } from '@app/common';
import type { ContextSpec } from '../context/crm-context';

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
  /** null: use the configured default model (ANTHROPIC_MODEL). */
  model: string | null;
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
  /** Identifies the exact request: equal hashes mean an equal input to the same prompt version. */
  hash: string;
}

export function renderPrompt(prompt: PromptDefinition, input: PromptInput): RenderedPrompt {
  const user = prompt.renderUser(input);
  const hash = createHash('sha256')
    .update(JSON.stringify([prompt.id, prompt.version, prompt.system, user, prompt.tool, prompt.maxTokens, prompt.model]))
    .digest('hex');
  return {
    promptId: prompt.id,
    promptVersion: prompt.version,
    system: prompt.system,
    user,
    tool: prompt.tool,
    maxTokens: prompt.maxTokens,
    model: prompt.model,
    hash,
  };
}
