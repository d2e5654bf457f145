import { spawn } from 'child_process';
import * as path from 'path';
import { launchSandboxes } from './sandbox-launcher';

describe('sandbox launcher', () => {
  it('starts both servers on the ports from the environment and stops them', async () => {
    const launched = await launchSandboxes({ SANDBOX_HUBSPOT_PORT: '0', SANDBOX_ANTHROPIC_PORT: '0' });
    try {
      expect(await (await fetch(`${launched.hubspotUrl}/__sandbox/health`)).json()).toEqual({ ok: true });
      expect(await (await fetch(`${launched.anthropicUrl}/__double/health`)).json()).toEqual({ ok: true });
    } finally {
      await launched.stop();
    }
    await expect(fetch(`${launched.hubspotUrl}/__sandbox/health`)).rejects.toThrow();
  });

  it('rejects a malformed port', async () => {
    await expect(launchSandboxes({ SANDBOX_HUBSPOT_PORT: 'abc' })).rejects.toThrow(/SANDBOX_HUBSPOT_PORT/);
  });

  it('main.ts logs one JSON line per server and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', path.join(__dirname, 'main.ts')], {
      env: { ...process.env, SANDBOX_HUBSPOT_PORT: '0', SANDBOX_ANTHROPIC_PORT: '0', TS_NODE_TRANSPILE_ONLY: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const lines = await new Promise<Array<{ service: string; url: string }>>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const parsed = out.split('\n').filter((l) => l.trim() !== '');
        if (parsed.length >= 2) resolve(parsed.slice(0, 2).map((l) => JSON.parse(l) as { service: string; url: string }));
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${String(code)}: ${out}`)));
    });
    expect(lines.map((l) => l.service)).toEqual(['hubspot-sandbox', 'anthropic-double']);
    expect((await fetch(`${lines[0]?.url ?? ''}/__sandbox/health`)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);
});
