/**
 * The HubSpot sandbox and the Anthropic double for bench:enricher, seeded with
 * contacts (each with a company, two notes and an email) on many portals.
 *
 * By default the bench forks this file, so the stand-ins' CPU and memory are not
 * counted as the enricher's (HubSpot and Anthropic are remote in production);
 * BENCH_STANDINS=in-process runs them in the bench's own process instead.
 * As a child it speaks over IPC: {type:'start', ...} → {type:'ready', ...};
 * 'rate-limited', 'reset' and 'stop' answer with a message of the same type.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Client } from '@hubspot/api-client';
import { AnthropicDouble } from '../sandbox/anthropic';
import { HubSpotSandbox } from '../sandbox/hubspot';

export interface Lead {
  portalId: number;
  contactId: string;
}

export interface StandInsSpec {
  portals: number;
  firstPortal: number;
  contactsPerPortal: number;
}

export interface StandIns {
  hubspotUrl: string;
  anthropicUrl: string;
  /** Per portal, its contacts. */
  leadsByPortal: Lead[][];
  /** 429s the sandbox answered, over every portal. */
  rateLimited(): Promise<number>;
  /** Forgets the double's request log (it keeps every request). */
  resetDouble(): Promise<void>;
  stop(): Promise<void>;
}

const INDUSTRIES = ['COMPUTER_SOFTWARE', 'FINANCIAL_SERVICES', 'HOSPITAL_HEALTH_CARE', 'RETAIL'];
const TITLES = ['CTO', 'Head of Operations', 'Procurement Manager', 'Student', 'VP Sales', 'Office Manager'];

async function seed(sandbox: HubSpotSandbox, url: string, spec: StandInsSpec): Promise<Lead[][]> {
  const byPortal: Lead[][] = [];
  for (let p = 0; p < spec.portals; p++) {
    const portalId = spec.firstPortal + p;
    sandbox.addPortal({ portalId, accessToken: `pat-${portalId}`, tier: 'professional', appType: 'private' });
    const contacts: string[] = [];
    const links = { company: [] as Array<[string, string]>, notes: [] as Array<[string, string]>, emails: [] as Array<[string, string]> };
    for (let n = 0; n < spec.contactsPerPortal; n++) {
      const tag = `${portalId}-${n}`;
      const company = sandbox.seedObject(portalId, 'companies', { name: `Company ${tag}`, domain: `c${tag}.example`, industry: INDUSTRIES[n % INDUSTRIES.length] }).id;
      const contact = sandbox.seedObject(portalId, 'contacts', {
        firstname: `First${n}`,
        lastname: `Last${tag}`,
        email: `lead${tag}@c${tag}.example`,
        jobtitle: TITLES[n % TITLES.length],
        company: `Company ${tag}`,
        recent_conversion_event_name: 'Demo request form',
        message: `We are ${10 + n} people and need pricing for the ${n % 2 ? 'team' : 'enterprise'} plan, call me at +1 555 010 ${String(n).padStart(4, '0')}.`,
      }).id;
      contacts.push(contact);
      links.company.push([contact, company]);
      for (let k = 1; k <= 2; k++) {
        const note = sandbox.seedObject(portalId, 'notes', { hs_note_body: `Call ${k} with First${n}: asked about onboarding`, hs_timestamp: `2026-11-0${k}T10:00:00.000Z` }).id;
        links.notes.push([note, contact]);
      }
      const email = sandbox.seedObject(portalId, 'emails', {
        hs_email_direction: 'INCOMING_EMAIL',
        hs_email_subject: 'Pricing?',
        hs_email_text: `How much for ${10 + n} seats? Regards, First${n}`,
        hs_timestamp: '2026-11-20T09:00:00.000Z',
      }).id;
      links.emails.push([email, contact]);
    }
    // Associations through HubSpot's own API (v4 batch, default type), as an integration would create them.
    const client = new Client({ accessToken: `pat-${portalId}`, basePath: url, numberOfApiCallRetries: 0 });
    for (const [from, to, pairs] of [
      ['contacts', 'companies', links.company],
      ['notes', 'contacts', links.notes],
      ['emails', 'contacts', links.emails],
    ] as const) {
      for (let i = 0; i < pairs.length; i += 100) {
        const inputs = pairs.slice(i, i + 100).map(([f, t]) => ({ from: { id: f }, to: { id: t } }));
        const response = await client.apiRequest({ method: 'POST', path: `/crm/v4/associations/${from}/${to}/batch/associate/default`, body: { inputs } });
        if (response.status !== 200) throw new Error(`associating ${from} with ${to}: HTTP ${response.status} ${await response.text()}`);
      }
    }
    byPortal.push(contacts.map((contactId) => ({ portalId, contactId })));
  }
  return byPortal;
}

async function startHere(spec: StandInsSpec): Promise<{ sandbox: HubSpotSandbox; double: AnthropicDouble; hubspotUrl: string; anthropicUrl: string; leadsByPortal: Lead[][] }> {
  const sandbox = new HubSpotSandbox({ maxLoggedRequests: 1_000 });
  const double = new AnthropicDouble();
  const { url: hubspotUrl } = await sandbox.start();
  const { url: anthropicUrl } = await double.start();
  const leadsByPortal = await seed(sandbox, hubspotUrl, spec);
  return { sandbox, double, hubspotUrl, anthropicUrl, leadsByPortal };
}

const rateLimitedOf = (sandbox: HubSpotSandbox) => sandbox.portals().reduce((n, p) => n + sandbox.rateLimitStats(p.portalId).rateLimited, 0);

export async function startInProcess(spec: StandInsSpec): Promise<StandIns> {
  const { sandbox, double, ...rest } = await startHere(spec);
  return {
    ...rest,
    rateLimited: async () => rateLimitedOf(sandbox),
    resetDouble: async () => double.reset(),
    stop: async () => {
      await sandbox.stop();
      await double.stop();
    },
  };
}

type Message = { type: 'ready'; hubspotUrl: string; anthropicUrl: string; leadsByPortal: Lead[][] } | { type: 'rate-limited'; value: number } | { type: 'reset' } | { type: 'stop' } | { type: 'error'; message: string };

export async function startChild(spec: StandInsSpec): Promise<StandIns> {
  const child = fork(__filename, [], {
    execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = async <T extends Message['type']>(type: T): Promise<Extract<Message, { type: T }>> => {
    for (;;) {
      const [message] = (await once(child, 'message')) as [Message];
      if (message.type === 'error') throw new Error(`stand-ins: ${message.message}`);
      if (message.type === type) return message as Extract<Message, { type: T }>;
    }
  };
  const exited = once(child, 'exit');
  child.send({ type: 'start', spec });
  const ready = await next('ready');
  return {
    hubspotUrl: ready.hubspotUrl,
    anthropicUrl: ready.anthropicUrl,
    leadsByPortal: ready.leadsByPortal,
    rateLimited: async () => {
      child.send({ type: 'rate-limited' });
      return (await next('rate-limited')).value;
    },
    resetDouble: async () => {
      child.send({ type: 'reset' });
      await next('reset');
    },
    stop: async () => {
      if (child.exitCode === null) child.send({ type: 'stop' });
      await exited;
    },
  };
}

if (require.main === module) {
  let running: Awaited<ReturnType<typeof startHere>> | undefined;
  const send = (message: Message) => process.send!(message);
  process.on('message', (message: { type: string; spec?: StandInsSpec }) => {
    void (async () => {
      try {
        if (message.type === 'start') {
          running = await startHere(message.spec!);
          send({ type: 'ready', hubspotUrl: running.hubspotUrl, anthropicUrl: running.anthropicUrl, leadsByPortal: running.leadsByPortal });
        } else if (message.type === 'rate-limited') send({ type: 'rate-limited', value: running ? rateLimitedOf(running.sandbox) : 0 });
        else if (message.type === 'reset') {
          running?.double.reset();
          send({ type: 'reset' });
        } else if (message.type === 'stop') {
          await running?.sandbox.stop();
          await running?.double.stop();
          process.disconnect();
        }
      } catch (error) {
        send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  // The bench went away without saying stop: do not linger.
  process.on('disconnect', () => void Promise.all([running?.sandbox.stop(), running?.double.stop()]).finally(() => process.exit(0)));
}
