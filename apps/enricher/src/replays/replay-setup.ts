import { Injectable } from '@nestjs/common';
import { PortalAccess, type PlatformEvent, type Portal } from '@app/common';
import { capabilityForPrompt, selectPrompt, type AnyCapability } from '../capabilities/capability-registry';
import type { PromptDefinition } from '../prompts/prompt';

/** What a replay runs with: the portal, the prompt version it asks with, and the capability that answers it. */
export interface ResolvedReplay {
  portal: Portal;
  prompt: PromptDefinition;
  capability: AnyCapability;
}

/** Resolves a replay request to what it runs with, or says why it cannot run now. */
@Injectable()
export class ReplaySetUp {
  constructor(private readonly portals: PortalAccess) {}

  async resolve(request: PlatformEvent<'ReplayRequested'>): Promise<ResolvedReplay | string> {
    const { promptId, promptVersion } = request.data;
    const choice = selectPrompt(promptId, { [promptId]: promptVersion });
    if (!choice.ok) return choice.reason;
    const capability = capabilityForPrompt(promptId);
    if (!capability) return `no capability answers with prompt ${promptId}`;
    const found = await this.portals.get(request.portalId);
    // As for live decisions: a paused or disabled portal gets no model calls and no writebacks.
    if (!found || found.portal.status !== 'active') return `portal ${request.portalId} is ${found ? found.portal.status : 'not registered'}`;
    return { portal: found.portal, prompt: choice.prompt, capability };
  }
}
