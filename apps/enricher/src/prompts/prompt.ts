import { createHash } from 'node:crypto';

/**
 * A prompt is a versioned artefact in the repository: change the text, the schema
 * or the parameters and the version goes up, so every decision can name exactly
 * what produced it.
 */
export interface PromptDefinition<TContext> {
  id: string;
  version: number;
  /** null: use the configured default model (ANTHROPIC_MODEL). */
  model: string | null;
  maxTokens: number;
  system: string;
  tool: { name: string; description: string; inputSchema: Record<string, unknown> };
  /** The only CRM properties this prompt may see (data minimisation). */
  fields: readonly string[];
  renderUser(context: TContext): string;
}

export interface RenderedPrompt {
  promptId: string;
  promptVersion: number;
  system: string;
  user: string;
  tool: PromptDefinition<unknown>['tool'];
  maxTokens: number;
  model: string | null;
  hash: string;
}

export function renderPrompt<TContext>(prompt: PromptDefinition<TContext>, context: TContext): RenderedPrompt {
  const user = prompt.renderUser(context);
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

/** Keeps only the declared fields, dropping empty values. */
export function pickFields(properties: Record<string, unknown>, fields: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const field of fields) {
    const value = properties[field];
    if (value !== null && value !== undefined && String(value).trim() !== '') picked[field] = String(value);
  }
  return picked;
}
