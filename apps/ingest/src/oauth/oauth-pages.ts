import type { ConnectResult } from '../onboarding/portal-connector.service';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

/** What the installer sees once the portal is connected (no secrets: scopes, capabilities, properties). */
export function connectedPage(result: ConnectResult): string {
  const { portal, capabilities, bootstrap } = result;
  const blocked = capabilities.blocked.map((b) => `<li>${escape(b.capability)}: off until HubSpot grants ${escape(b.missingScopes.join(', '))}</li>`).join('');
  const properties =
    'results' in bootstrap
      ? `<ul>${bootstrap.results.map((r) => `<li>${escape(`${r.objectType}.${r.name}`)}: ${escape(r.outcome)}${r.detail ? ` (${escape(r.detail)})` : ''}</li>`).join('')}</ul>`
      : `<p>Properties could not be checked: ${escape(bootstrap.error)}</p>`;
  return page(`${result.kind === 'registered' ? 'Connected' : 'Reconnected'}: ${portal.name} (${portal.portalId})`, [
    `<p>Time zone ${escape(portal.account.timeZone ?? 'unknown')}, currency ${escape(portal.account.currency ?? 'unknown')}, data hosted in ${escape(portal.account.dataHostingLocation ?? 'unknown')}.</p>`,
    `<p>Enabled: ${escape(capabilities.enabled.join(', ') || 'none')}</p>`,
    blocked ? `<ul>${blocked}</ul>` : '',
    `<h2>Properties</h2>${properties}`,
    `<h2>Webhook subscriptions to configure in the app</h2><ul>${result.subscriptions.map((s) => `<li>${escape(s.subscriptionType)}${s.propertyName ? ` (${escape(s.propertyName)})` : ''}: ${escape(s.why)}</li>`).join('')}</ul>`,
  ].join(''));
}

export function refusedPage(message: string): string {
  return page('The portal was not connected', `<p>${escape(message)}</p>`);
}
