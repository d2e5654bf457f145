import { HubSpotSandbox } from './hubspot/hubspot-sandbox';
import { AnthropicDouble } from './anthropic/anthropic-double';

export interface LaunchedSandboxes {
  hubspot: HubSpotSandbox;
  anthropic: AnthropicDouble;
  hubspotUrl: string;
  anthropicUrl: string;
  stop: () => Promise<void>;
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name} must be a port number, got '${raw}'`);
  return port;
}

/** Starts the HubSpot sandbox and the Anthropic double on the ports named by the environment. */
export async function launchSandboxes(env: NodeJS.ProcessEnv = process.env): Promise<LaunchedSandboxes> {
  const hubspot = new HubSpotSandbox();
  const anthropic = new AnthropicDouble();
  const { url: hubspotUrl } = await hubspot.start(portFrom(env, 'SANDBOX_HUBSPOT_PORT', 4010));
  try {
    const { url: anthropicUrl } = await anthropic.start(portFrom(env, 'SANDBOX_ANTHROPIC_PORT', 4020));
    return {
      hubspot,
      anthropic,
      hubspotUrl,
      anthropicUrl,
      stop: async () => {
        await Promise.all([hubspot.stop(), anthropic.stop()]);
      },
    };
  } catch (err) {
    await hubspot.stop();
    throw err;
  }
}
