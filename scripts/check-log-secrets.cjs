#!/usr/bin/env node
// Fails (exit 1) when any log file in the given directory holds a secret or token the
// run used: the keys and client secret from the environment, and every code, access
// and refresh token the HubSpot sandbox issued (asked of its /__sandbox/oauth/tokens).
// Usage: node scripts/check-log-secrets.cjs <log dir> [file to skip ...]
// scripts/demo.sh runs it at the end of the demo, on .run/logs (the sandbox's own log skipped:
// it is HubSpot's side, which knows its tokens).
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

async function main() {
  const [dir, ...skip] = process.argv.slice(2);
  if (!dir) throw new Error('usage: check-log-secrets.cjs <log dir> [file to skip ...]');
  const secrets = new Map();
  const add = (name, value) => {
    if (typeof value === 'string' && value.trim().length >= 8) secrets.set(value.trim(), name);
  };
  for (const name of ['HUBSPOT_CLIENT_SECRET', 'ADMIN_API_KEY', 'METRICS_API_KEY', 'ANTHROPIC_API_KEY', 'TOKEN_ENCRYPTION_KEY']) add(name, process.env[name]);
  // The token key as it is configured and as the bytes it stands for (hex), and each key of a keyring.
  const keyText = process.env.TOKEN_ENCRYPTION_KEY;
  if (keyText && /^[A-Za-z0-9+/=]{43,44}$/.test(keyText)) add('TOKEN_ENCRYPTION_KEY (hex)', Buffer.from(keyText, 'base64').toString('hex'));
  for (const entry of (process.env.TOKEN_ENCRYPTION_KEYS ?? '').split(',')) add('TOKEN_ENCRYPTION_KEYS', entry.slice(entry.indexOf(':') + 1));
  const hubspot = process.env.HUBSPOT_API_BASE_URL;
  if (hubspot) {
    const response = await fetch(`${hubspot}/__sandbox/oauth/tokens`);
    if (!response.ok) throw new Error(`the sandbox did not list its tokens (HTTP ${response.status})`);
    for (const issued of (await response.json()).results) add(`sandbox ${issued.kind} of portal ${issued.portalId}`, issued.token);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.log') && !skip.includes(f));
  let lines = 0;
  const leaks = [];
  for (const file of files) {
    readFileSync(join(dir, file), 'utf8').split('\n').forEach((line, i) => {
      if (!line) return;
      lines += 1;
      for (const [secret, name] of secrets) if (line.includes(secret)) leaks.push(`${file}:${i + 1}: ${name}`);
    });
  }
  if (leaks.length > 0) {
    process.stderr.write(`secrets found in logs:\n${leaks.map((l) => `  ${l}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(`log scan: ${lines} lines in ${files.length} files hold none of the ${secrets.size} secrets and tokens the run used\n`);
}

main().catch((error) => {
  process.stderr.write(`log scan failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
