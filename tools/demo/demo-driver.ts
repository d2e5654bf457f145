import { eventuallyValue } from './poll';
import { publicBaseUrlOf, type AppConfig, type PlatformEvent, type StoredEvent } from '@app/common';

const DEMO_PORTAL = 20_251_128;
/** The app's id in the sandbox, unless HUBSPOT_APP_ID names it (scripts/demo.sh sets it). */
const DEMO_APP_ID = 1_001;
/** The portal's help desk, another app: its changes are not the platform's own (changeSource INTEGRATION, sourceId 2002). */
const HELP_DESK_APP_ID = 2_002;
/** The settings an install through the demo's install link gives the portal (PUT /admin/settings-templates/:name). */
const DEMO_TEMPLATE = 'demo-realty';
const DEMO_OWNER_ID = '101';
const SUPPORT_OWNER_ID = '102';
const BILLING_OWNER_ID = '103';
/** HubSpot-defined association type ids, from the ticket: to its contact, to an email. */
const TICKET_TO_CONTACT = 16;
const TICKET_TO_EMAIL = 223;

const SAMPLE_CONTACTS = [
  { firstname: 'Roberta', lastname: 'Mills', email: 'roberta@hamptons-realty.com', jobtitle: 'Broker Owner', company: 'Hamptons Realty', numemployees: '5-25', message: 'We lose weekend leads. Can we see pricing and a demo?' },
  { firstname: 'Sam', lastname: 'Ortiz', email: 'sam.ortiz@northwind.io', jobtitle: 'Marketing Manager', company: 'Northwind', message: 'Interested in workflow automation.' },
  { firstname: 'Lee', lastname: 'Park', email: 'leepark@gmail.com', jobtitle: 'Student', message: 'Researching CRMs for a class project.' },
];

/** The demo portal's open deals: one nobody has contacted for five weeks, one past its close date, one without a next step, one healthy. */
const SAMPLE_DEALS = (ago: (days: number) => string) => {
  const deal = (dealname: string, amount: string, properties: Record<string, string>) => ({
    dealname,
    amount,
    pipeline: 'default',
    dealstage: 'presentationscheduled',
    closedate: ago(-21),
    hubspot_owner_id: '101',
    hs_next_step: 'Send the revised offer',
    notes_last_contacted: ago(2),
    createdate: ago(70),
    ...properties,
  });
  return [
    deal('Harbour View penthouse', '180000', { notes_last_contacted: ago(36), dealstage: 'decisionmakerboughtin' }),
    deal('Old Town office lease', '64000', { closedate: ago(4), dealstage: 'contractsent' }),
    deal('Lakeside villa', '95000', { hs_next_step: '' }),
    deal('Riverside apartments', '120000', {}),
  ];
};

/** "HH:MM" a minute ago in `zone` (00:00 right after midnight): a daily time today's review has already passed. */
function justPassed(zone: string): string {
  const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format;
  const minuteAgo = hhmm(new Date(Date.now() - 60_000));
  return hhmm(new Date()) < minuteAgo ? '00:00' : minuteAgo;
}

/** Support tickets raised by the first two sample contacts; the first has an email thread. */
const SAMPLE_TICKETS = [
  {
    properties: { subject: 'Charged twice for November', content: 'Our invoice shows the subscription twice. This is the second time, please refund.', hs_pipeline: '0', hs_pipeline_stage: '1' },
    email: { hs_email_direction: 'INCOMING_EMAIL', hs_email_subject: 'Double charge', hs_email_text: 'Hi, Roberta here. Still waiting for the refund, call me on 631-555-0199.', hs_timestamp: '2026-11-28T08:00:00.000Z' },
  },
  { properties: { subject: 'How do I export my leads?', content: 'Is there a way to export leads to CSV? Thanks!', hs_pipeline: '0', hs_pipeline_stage: '1' } },
];

interface DemoOptions {
  config: AppConfig;
  print: (line: string) => void;
}

/**
 * Drives the running platform like HubSpot and an operator would: sets up a portal
 * and the agency's OAuth app in the HubSpot sandbox, connects the portal through the
 * OAuth install flow (install link → HubSpot's authorize page → callback), creates
 * contacts and tickets in "HubSpot" (which sends signed webhooks to ingest), then
 * shows what was written back and the recorded story behind one decision.
 */
export async function runDemo({ config, print }: DemoOptions): Promise<void> {
  const sandbox = `${config.hubspotApiBaseUrl}/__sandbox`;
  const adminBase = `http://127.0.0.1:${config.adminPort}/admin`;
  const adminHeaders = { authorization: `Bearer ${config.adminApiKey ?? ''}`, 'content-type': 'application/json' };
  if (!config.hubspotClientId || !config.hubspotClientSecret) throw new Error('the demo installs the portal through OAuth: set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET (scripts/demo.sh does)');
  const publicBase = publicBaseUrlOf(config);
  const appId = config.hubspotAppId ?? DEMO_APP_ID;
  // The portal's help desk, another integration: it creates the tickets below through HubSpot's API with its own
  // (sandbox-only) private-app token. The platform never sees this token: it gets its own through OAuth.
  const helpDeskToken = 'pat-demo-helpdesk-sandbox-token';

  print(`HubSpot sandbox: portal ${DEMO_PORTAL} (Europe/Berlin, EUR, hosted in eu1), its owners, and the agency's OAuth app ${appId} (client ${config.hubspotClientId})`);
  await call('POST', `${sandbox}/portals`, {
    portalId: DEMO_PORTAL,
    accessToken: helpDeskToken,
    appId: HELP_DESK_APP_ID,
    tier: 'professional',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    dataHostingLocation: 'eu1',
    hubDomain: 'demo-realty.example',
  }, [200, 201, 409]);
  const owners = (await call('GET', `${sandbox}/portals/${DEMO_PORTAL}/owners`, undefined, [200])) as { results: Array<{ id: string }> };
  for (const [id, email] of [[DEMO_OWNER_ID, 'sales@demo-realty.example'], [SUPPORT_OWNER_ID, 'support@demo-realty.example'], [BILLING_OWNER_ID, 'billing@demo-realty.example']] as const) {
    if (!owners.results.some((o) => o.id === id)) await call('POST', `${sandbox}/portals/${DEMO_PORTAL}/owners`, { id, email }, [201]);
  }
  // The pipeline the sales director reviews every morning: four open deals, as HubSpot holds them (last contact, stage dates).
  const day = 86_400_000;
  const ago = (days: number) => new Date(Date.now() - days * day).toISOString();
  const existing = (await call('GET', `${sandbox}/portals/${DEMO_PORTAL}/objects/deals`, undefined, [200])) as { results: unknown[] };
  if (existing.results.length === 0) {
    for (const deal of SAMPLE_DEALS(ago)) await call('POST', `${sandbox}/portals/${DEMO_PORTAL}/objects/deals`, { properties: deal, fireWebhooks: false }, [200, 201]);
  }
  print(`HubSpot sandbox: ${SAMPLE_DEALS(ago).length} open deals in the portal's sales pipeline, for the morning review`);

  // The app as registered in HubSpot's developer account: the same client id, secret, redirect URL and scopes as the platform's.
  const redirectUri = `${publicBase}/oauth/callback`;
  await call('POST', `${sandbox}/apps`, {
    appId,
    clientId: config.hubspotClientId,
    clientSecret: config.hubspotClientSecret,
    redirectUris: [redirectUri],
    requiredScopes: config.hubspotOauthScopes,
    optionalScopes: config.hubspotOauthOptionalScopes,
    webhookTargetUrl: `${publicBase}/webhooks/hubspot`,
    subscriptions: ['contact.creation', 'ticket.creation'],
  }, [200, 201]);

  print(`Admin API: settings template "${DEMO_TEMPLATE}" (plan, lead and ticket routing, the morning review's time and recipients) for the install link (PUT /admin/settings-templates/${DEMO_TEMPLATE})`);
  const template = await fetch(`${adminBase}/settings-templates/${DEMO_TEMPLATE}`, {
    method: 'PUT',
    headers: adminHeaders,
    body: JSON.stringify({
      hubspot: { tier: 'professional', appType: 'public' },
      leadRouting: { defaultOwnerId: DEMO_OWNER_ID, followUpHours: 24 },
      serviceRouting: { defaultOwnerId: SUPPORT_OWNER_ID, rules: [{ category: 'billing_issue', ownerId: BILLING_OWNER_ID }] },
      // The morning review at a local time that has just passed in Berlin, so the scheduler runs today's at once.
      review: { dailyAt: justPassed('Europe/Berlin'), staleAfterDays: 14 },
      managementAi: { managerOwnerId: DEMO_OWNER_ID, reengageWithinHours: 24, pipelineTargets: [{ pipelineId: 'default', amount: 250_000 }] },
    }),
  });
  if (template.status !== 200) throw new Error(`admin API answered ${template.status}: ${await template.text()}`);

  // The client's own link, minted by the operator: single-use, approved in advance (the open link GET /oauth/install would register the portal paused until approved).
  const minted = await fetch(`${adminBase}/install-links`, { method: 'POST', headers: adminHeaders, body: JSON.stringify({ template: DEMO_TEMPLATE, portalId: DEMO_PORTAL }) });
  if (minted.status !== 201) throw new Error(`POST /admin/install-links answered ${minted.status}: ${await minted.text()}`);
  const link = (await minted.json()) as { url: string; expiresAt: string };
  print(`Admin API: an install link for the client (POST /admin/install-links {template, portalId}), single-use, until ${link.expiresAt}`);

  const connected = await installThroughOAuth({ sandbox, authorizeUrl: link.url, print });
  printOnboarding(connected, print);
  if (connected.portal.portalId !== DEMO_PORTAL) throw new Error(`the install connected portal ${connected.portal.portalId}, not ${DEMO_PORTAL}`);
  const stored = (await (await fetch(`${adminBase}/portals/${DEMO_PORTAL}`, { headers: adminHeaders })).json()) as { settings: Record<string, unknown> };
  print(`  settings (from the template, GET /admin/portals/${DEMO_PORTAL}): ${Object.keys(stored.settings ?? {}).filter((k) => k !== 'workflowApiKeySet').join(', ') || 'none'}`);

  print('');
  print(`HubSpot sandbox: creating ${SAMPLE_CONTACTS.length} contacts; HubSpot sends a signed contact.creation webhook for each`);
  const created: Array<{ id: string; properties: Record<string, string> }> = [];
  for (const properties of SAMPLE_CONTACTS) {
    created.push((await call('POST', `${sandbox}/portals/${DEMO_PORTAL}/objects/contacts`, { properties, fireWebhooks: true }, [200, 201])) as { id: string; properties: Record<string, string> });
  }

  print('Waiting for the writebacks ...');
  const results = [];
  for (const contact of created) {
    results.push(
      await eventuallyValue(async () => {
        const stored = (await call('GET', `${sandbox}/portals/${DEMO_PORTAL}/objects/contacts/${contact.id}`, undefined, [200])) as { properties: Record<string, string> };
        if (!stored.properties.ai_lead_score) return undefined;
        const { results: tasks } = (await call('GET', `${sandbox}/portals/${DEMO_PORTAL}/objects/tasks`, undefined, [200])) as { results: Array<{ properties: Record<string, string>; associations: Array<{ toId: string }> }> };
        const task = tasks.find((t) => t.associations.some((a) => a.toId === contact.id));
        return task ? { contact, written: stored.properties, task: task.properties } : undefined;
      }, 60_000, `contact ${contact.id} to be written back`),
    );
  }

  print('');
  print('Written back to HubSpot:');
  for (const { contact, written, task } of results) {
    print(`  contact ${contact.id}  ${contact.properties.firstname} ${contact.properties.lastname}, ${contact.properties.jobtitle ?? '-'} at ${contact.properties.company ?? '-'}`);
    print(`    ai_lead_score = ${written.ai_lead_score}   ai_persona = ${written.ai_persona}`);
    print(`    ai_summary    = ${written.ai_summary}`);
    if (written.ai_recommended_action) print(`    ai_recommended_action = ${written.ai_recommended_action}`);
    print(`    task: "${task.hs_task_subject}" for owner ${task.hubspot_owner_id ?? '-'}, ${task.hs_task_priority}, due ${task.hs_timestamp}`);
  }

  // Tickets are created through HubSpot's own API by the portal's help desk (another integration), with their associations.
  const hubspotApi = (method: string, path: string, body: unknown) =>
    fetch(`${config.hubspotApiBaseUrl}${path}`, { method, headers: { authorization: `Bearer ${helpDeskToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
      if (r.status !== 201) throw new Error(`HubSpot ${method} ${path} answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
      return (await r.json()) as { id: string; properties: Record<string, string> };
    });
  print('');
  print(`HubSpot: the help desk opens ${SAMPLE_TICKETS.length} support tickets from the sample contacts (POST /crm/v3/objects/tickets); HubSpot sends ticket.creation for each`);
  const tickets: Array<{ id: string; properties: Record<string, string> }> = [];
  for (const [index, sample] of SAMPLE_TICKETS.entries()) {
    const associations = [{ to: { id: created[index]!.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: TICKET_TO_CONTACT }] }];
    if (sample.email) {
      const email = await hubspotApi('POST', '/crm/v3/objects/emails', { properties: sample.email });
      associations.push({ to: { id: email.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: TICKET_TO_EMAIL }] });
    }
    tickets.push(await hubspotApi('POST', '/crm/v3/objects/tickets', { properties: sample.properties, associations }));
  }
  print('Waiting for the triage ...');
  print('');
  print('Written back to HubSpot:');
  for (const ticket of tickets) {
    const { written, task } = await eventuallyValue(async () => {
      const stored = (await call('GET', `${sandbox}/portals/${DEMO_PORTAL}/objects/tickets/${ticket.id}`, undefined, [200])) as { properties: Record<string, string> };
      if (!stored.properties.ai_category) return undefined;
      const { results: tasks } = (await call('GET', `${sandbox}/portals/${DEMO_PORTAL}/objects/tasks`, undefined, [200])) as { results: Array<{ properties: Record<string, string>; associations: Array<{ toType: string; toId: string }> }> };
      const found = tasks.find((t) => t.associations.some((a) => a.toType === 'tickets' && a.toId === ticket.id));
      return found ? { written: stored.properties, task: found.properties } : undefined;
    }, 60_000, `ticket ${ticket.id} to be triaged`);
    print(`  ticket ${ticket.id}  "${ticket.properties.subject}"`);
    print(`    ai_category = ${written.ai_category}   hs_ticket_priority = ${written.hs_ticket_priority}   ai_sentiment = ${written.ai_sentiment}   owner = ${written.hubspot_owner_id ?? '-'}`);
    print(`    ai_summary  = ${written.ai_summary}`);
    print(`    task: "${task.hs_task_subject}" for owner ${task.hubspot_owner_id ?? '-'}, due ${task.hs_timestamp}`);
  }

  await showMorningReview(adminBase, adminHeaders, sandbox, print);

  const first = results[0]!.contact;
  const { events } = (await (await fetch(`${adminBase}/portals/${DEMO_PORTAL}/objects/contacts/${first.id}/events`, { headers: adminHeaders })).json()) as { events: StoredEvent[] };
  print('');
  print(`The recorded story of contact ${first.id} (GET /admin/portals/${DEMO_PORTAL}/objects/contacts/${first.id}/events):`);
  for (const event of events) print(`  #${event.globalPosition} ${event.type.padEnd(22)} ${describeEvent(event)}`);
  print('');
  print(`Correlation id ${events[0]?.correlationId}: GET /admin/stories/<id> or npm run story -- <id> prints every event in full.`);

  await showReplay(adminBase, adminHeaders, !config.anthropicApiKey, print);
}

/** What GET /oauth/callback answers (Accept: application/json) once the portal is connected. */
interface ConnectedAnswer {
  kind: 'registered' | 'reconnected';
  portal: {
    portalId: number;
    name: string;
    status: string;
    connection: { mode: string; appId: number | null; hubDomain: string | null; scopes: string[]; installedByUserId?: number | null };
    account?: { timeZone: string | null; currency: string | null; dataHostingLocation: string | null; uiDomain: string | null; utcOffset: string | null };
  };
  capabilities: { enabled: string[]; blocked: Array<{ capability: string; missingScopes: string[] }> };
  bootstrap: { results: Array<{ objectType: string; name: string; kind: 'property' | 'group'; outcome: string; detail?: string }> } | { error: string; missingScopes: string[] };
}

/**
 * The installer's browser, step by step: the operator's install link is HubSpot's
 * authorize page, which (the sandbox's user approves at once) redirects to
 * the platform's callback with a code and the state; the callback answers JSON when
 * asked for it.
 */
async function installThroughOAuth({ sandbox, authorizeUrl, print }: { sandbox: string; authorizeUrl: string; print: (line: string) => void }): Promise<ConnectedAnswer> {
  // Which HubSpot account the sandbox's user installs into (on HubSpot, the account they pick).
  await call('POST', `${sandbox}/oauth/install-target`, { portalId: DEMO_PORTAL }, [200]);
  print('');
  print('OAuth install, as the installer\'s browser follows it:');
  const authorize = new URL(authorizeUrl);
  const scopes = (name: string) => (authorize.searchParams.get(name) ?? '').split(' ').filter(Boolean);
  print(`  the client opens the link: HubSpot's authorize page ${authorize.origin}${authorize.pathname}`);
  print(`      client_id=${authorize.searchParams.get('client_id')}, ${scopes('scope').length} required scopes, ${scopes('optional_scope').length} optional, redirect_uri=${authorize.searchParams.get('redirect_uri')}, a signed single-use state`);
  const approved = await fetch(authorizeUrl, { redirect: 'manual' });
  const callbackUrl = approved.headers.get('location');
  if (approved.status !== 302 || !callbackUrl) throw new Error(`HubSpot's authorize page answered ${approved.status}: ${(await approved.text()).slice(0, 300)}`);
  const callback = new URL(callbackUrl);
  if (callback.searchParams.get('error')) throw new Error(`HubSpot refused the install: ${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''}`);
  print(`  HubSpot: the user connects the app to portal ${DEMO_PORTAL} → 302 to ${callback.origin}${callback.pathname}?code=…&state=…`);
  const answer = await fetch(callbackUrl, { headers: { accept: 'application/json' } });
  const text = await answer.text();
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`GET /oauth/callback answered ${answer.status}: ${text.slice(0, 500)}`);
  const connected = JSON.parse(text) as ConnectedAnswer;
  print(`  GET ${callback.pathname} (Accept: application/json) → ${answer.status} ${connected.kind}: code exchanged, token introspected, account read, properties bootstrapped`);
  return connected;
}

function printOnboarding({ portal, capabilities, bootstrap }: ConnectedAnswer, print: (line: string) => void): void {
  const { connection, account } = portal;
  print('');
  print('What onboarding found:');
  print(`  portal ${portal.portalId} "${portal.name}", ${portal.status}, mode ${connection.mode}, app ${connection.appId ?? '-'}, installed by HubSpot user ${connection.installedByUserId ?? '-'}`);
  print(`  scopes granted (${connection.scopes.length}): ${connection.scopes.join(' ')}`);
  print(`  capabilities enabled: ${capabilities.enabled.join(', ') || 'none'}; blocked: ${capabilities.blocked.map((b) => `${b.capability} (missing ${b.missingScopes.join(', ')})`).join('; ') || 'none'}`);
  print(`  account: time zone ${account?.timeZone ?? 'unknown'}${account?.utcOffset ? ` (UTC${account.utcOffset})` : ''}, currency ${account?.currency ?? 'unknown'}, data hosted in ${account?.dataHostingLocation ?? 'unknown'}${account?.uiDomain ? ` (${account.uiDomain})` : ''}`);
  if ('error' in bootstrap) {
    print(`  properties: not bootstrapped: ${bootstrap.error}`);
    return;
  }
  const count = (outcome: string) => bootstrap.results.filter((r) => r.outcome === outcome).length;
  const others = ['options-added', 'conflicting', 'failed'].filter((o) => count(o) > 0).map((o) => `, ${count(o)} ${o}`).join('');
  print(`  property bootstrap: ${count('created')} created, ${count('present')} present${others} (groups and properties):`);
  for (const objectType of [...new Set(bootstrap.results.map((r) => r.objectType))]) {
    const of = bootstrap.results.filter((r) => r.objectType === objectType);
    print(`    ${objectType}: ${of.map((r) => `${r.kind === 'group' ? 'group ' : ''}${r.name} ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`).join(', ')}`);
  }
}

/** The sales director's morning: the deals the review flagged and why, what was written to them, and the leadership digest. */
async function showMorningReview(adminBase: string, headers: Record<string, string>, sandbox: string, print: (line: string) => void): Promise<void> {
  print('');
  print(`Management AI: the scheduler ran the portal's morning review at its local time (Europe/Berlin); waiting for its digests (GET /admin/portals/${DEMO_PORTAL}/digests) ...`);
  type Digest = PlatformEvent<'PipelineDigestComposed'>['data'];
  const found = await eventuallyValue(async () => {
    const response = await fetch(`${adminBase}/portals/${DEMO_PORTAL}/digests`, { headers });
    return response.status === 200 ? ((await response.json()) as { date: string; digests: Array<{ data: Digest }> }) : undefined;
  }, 120_000, 'the morning review\'s digests');
  const digest = found.digests[0]!.data;
  const deals = (await call('GET', `${sandbox}/portals/${DEMO_PORTAL}/objects/deals`, undefined, [200])) as { results: Array<{ id: string; properties: Record<string, string> }> };
  const { leadership } = digest;
  print(`  review of ${digest.date} (${digest.timeZone}): ${leadership.counts.openDeals} open deals, ${leadership.counts.needingAttention} flagged by the rules, each assessed and written back:`);
  for (const owner of digest.owners) {
    for (const deal of owner.deals) {
      const stored = deals.results.find((d) => d.id === deal.dealId)?.properties ?? {};
      print(`  deal ${deal.dealId} "${stored.dealname ?? '?'}" (${deal.amount ?? '-'} EUR, owner ${owner.ownerId}): ${deal.reasons.join(', ')}`);
      print(`    ai_health_score = ${stored.ai_health_score ?? 'pending'}   ai_stall_reason = ${stored.ai_stall_reason ?? '-'}   ai_attention_flag = ${stored.ai_attention_flag ?? '-'}`);
      if (stored.ai_next_step) print(`    ai_next_step    = ${stored.ai_next_step}`);
    }
  }
  const tasks = (await call('GET', `${sandbox}/portals/${DEMO_PORTAL}/objects/tasks`, undefined, [200])) as { results: Array<{ properties: Record<string, string> }> };
  const reengage = tasks.results.filter((t) => /^Re-engage/.test(t.properties.hs_task_subject ?? ''));
  const digestTasks = tasks.results.filter((t) => /^Pipeline review/.test(t.properties.hs_task_subject ?? ''));
  print(`  HubSpot: ${reengage.length} re-engagement task(s) for the deals' owners; digests delivered as tasks: ${digestTasks.map((t) => `"${t.properties.hs_task_subject}" (owner ${t.properties.hubspot_owner_id})`).join('; ') || 'none yet'}`);
  print(`  Leadership digest (PipelineDigestComposed; to owner ${leadership.managerOwnerId ?? '- (none set)'}):`);
  for (const pipeline of leadership.pipelines ?? []) {
    const target = pipeline.target === null ? 'no target' : `${Math.round((pipeline.ofTarget ?? 0) * 100)}% of the ${pipeline.target} target`;
    print(`    pipeline ${pipeline.pipeline ?? '-'}: ${pipeline.deals} deals, ${pipeline.amount} EUR open (${target}); by stage: ${pipeline.stages.map((st) => `${st.stage} ${st.deals}`).join(', ')}`);
  }
  print(`    at risk: ${leadership.atRisk.deals.length} deal(s), ${leadership.atRisk.amount} EUR: ${leadership.atRisk.deals.map((d) => `${d.dealId} (${d.assessment.kind === 'assessed' ? `health ${d.assessment.healthScore}` : 'pending'})`).join(', ') || 'none'}`);
  const closing = leadership.closingThisWeek;
  print(`    closing ${closing.from} to ${closing.to}: ${closing.open ? `${closing.open.deals} deal(s), ${closing.open.amount} EUR` : 'not counted'}`);
  print(`    since yesterday: ${leadership.changes.kind === 'compared' ? `${leadership.changes.newlyNeedingAttention.length} newly flagged, ${leadership.changes.noLongerNeedingAttention.length} no longer` : `no review on ${leadership.changes.previousDate} to compare with (the portal's first)`}`);
}

/** An operator trying another prompt version on the portal's past lead decisions before switching to it. */
async function showReplay(adminBase: string, headers: Record<string, string>, offline: boolean, print: (line: string) => void): Promise<void> {
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${adminBase}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status >= 300) throw new Error(`admin API ${method} ${path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    return (await response.json()) as Record<string, any>;
  };
  print('');
  print(`Replay: the portal's lead decisions asked again with lead-scoring@3 (POST /admin/portals/${DEMO_PORTAL}/replays)`);
  const { replayId } = await admin('POST', `/portals/${DEMO_PORTAL}/replays`, { promptId: 'lead-scoring', promptVersion: 3 });
  const report = await eventuallyValue(async () => {
    const found = await admin('GET', `/portals/${DEMO_PORTAL}/replays/${replayId}`);
    return found.status === 'running' ? undefined : found;
  }, 60_000, `replay ${replayId} to finish`);
  const { totals } = report;
  if (report.status === 'rejected') {
    print(`  rejected: ${report.reason}`);
    return;
  }
  print(`  ${report.status}: ${totals.replayed} replayed, ${totals.changed} changed, ${totals.failed} failed, $${totals.costUsd} (GET /admin/portals/${DEMO_PORTAL}/replays/${replayId})`);
  for (const decision of report.decisions) {
    const shown = (value: unknown) => {
      const text = JSON.stringify(value) ?? 'absent';
      return text.length > 50 ? `${text.slice(0, 49)}…` : text;
    };
    const change = decision.differences.length === 0 ? 'same answer' : decision.differences.map((d: { field: string; before: unknown; after: unknown }) => `${d.field} ${shown(d.before)} → ${shown(d.after)}`).join('; ');
    print(`  contact ${decision.objectId}: @${decision.before.prompt.version} score ${decision.before.output.score} → @${decision.after.prompt.version} ${decision.after.output ? `score ${decision.after.output.score}` : 'no answer'}: ${change}`);
  }
  if (offline) print('  (the offline rules read the facts, not the prompt\'s words, so their answers match; with ANTHROPIC_API_KEY set, Claude answers each version)');
  print(`  POST .../replays/${replayId}/apply would write the changed answers' ai_ properties to HubSpot.`);
}

function describeEvent(event: StoredEvent): string {
  const data = event.data as Record<string, any>;
  switch (event.type) {
    case 'WebhookEventReceived':
      return `${data.subscriptionType} objectId=${data.objectId} (HubSpot eventId ${data.hubspot?.eventId})`;
    case 'ContextFetched':
      return `HubSpot ${data.hubspotStatus}; fields read: ${Object.keys(data.snapshot ?? {}).join(', ')} (personal data pseudonymised before the AI: names, emails, phones, addresses, IBANs, cards, dates of birth…)`;
    case 'DecisionMade':
      return `${data.provider}/${data.model}, prompt ${data.prompt?.id}@${data.prompt?.version}, score ${data.output?.score}${data.reusedFrom ? ` (reused decision ${data.reusedFrom.decisionId}: no model call)` : ''}${data.label ? ` — ${data.label}` : ''}`;
    case 'WritebackRequested':
      return data.kind === 'update-properties' ? `update ${Object.keys(data.properties ?? {}).join(', ')}` : data.kind === 'create-task' ? `task "${data.subject}" due ${data.dueAt}` : 'note: first-touch email draft';
    case 'HubSpotCreateSent':
      return `${data.engagement === 'tasks' ? 'task' : 'note'} announced before it is sent (its body ends with "${data.marker}": how its record is matched and, after a lost answer, found) — API ${data.apiVersion}`;
    case 'WritebackApplied':
      return `HubSpot ${data.hubspotStatus}${data.response?.id && data.hubspotStatus === 201 ? `, record ${data.response.id}` : ''}, ${data.rateLimit?.remaining ?? '?'}/${data.rateLimit?.max ?? '?'} requests left in the 10 s window`;
    default:
      return '';
  }
}

async function call(method: string, url: string, body: unknown, expected: number[]): Promise<unknown> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}
