import { launchSandboxes } from './sandbox-launcher';

/**
 * Runs the HubSpot sandbox and the Anthropic double as one process (the demo's stand-ins for HubSpot and
 * Anthropic). Ports: SANDBOX_HUBSPOT_PORT (default 4010), SANDBOX_ANTHROPIC_PORT (default 4020).
 */
async function main(): Promise<void> {
  const launched = await launchSandboxes(process.env);
  process.stdout.write(`${JSON.stringify({ service: 'hubspot-sandbox', url: launched.hubspotUrl })}\n`);
  process.stdout.write(`${JSON.stringify({ service: 'anthropic-double', url: launched.anthropicUrl })}\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    launched
      .stop()
      .then(() => {
        process.stdout.write(`${JSON.stringify({ service: 'sandbox', stopped: true, signal })}\n`);
        process.exit(0);
      })
      .catch((err: unknown) => {
        process.stderr.write(`${JSON.stringify({ service: 'sandbox', error: String(err) })}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ service: 'sandbox', error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
});
