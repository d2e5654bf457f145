import { renderPrompt } from '../prompts/prompt';
import { LEAD_SCORING_V1, LEAD_SCORING_V2, LEAD_SCORING_V3, LEAD_SCORING_V4, LEAD_SCORING_V5 } from './lead-ai/lead-scoring.prompt';
import { TICKET_TRIAGE_V1, TICKET_TRIAGE_V2 } from './service-ai/ticket-triage.prompt';
import { CAPABILITY_CONFIGURATION, CAPABILITY_NAMES, CAPABILITY_REQUIREMENTS, startStory } from '@app/common';
import { answerJsonSchema, checkAnswer } from './answer-schema';
import { CAPABILITIES, capabilityNamed, capabilityForPrompt, offlineRulesByPrompt, routeTrigger, selectPrompt } from './capability-registry';

describe('selectPrompt', () => {
  it('gives the latest version unless the portal pins one', () => {
    expect(selectPrompt('lead-scoring', undefined)).toMatchObject({ ok: true, prompt: { id: 'lead-scoring', version: 5 } });
    expect(selectPrompt('lead-scoring', { 'lead-scoring': 1 })).toMatchObject({ ok: true, prompt: { version: 1 } });
    expect(selectPrompt('lead-scoring', { 'ticket-triage': 3 })).toMatchObject({ ok: true, prompt: { version: 5 } });
    expect(selectPrompt('ticket-triage', { 'lead-scoring': 1 })).toMatchObject({ ok: true, prompt: { id: 'ticket-triage', version: 2 } });
  });

  it('refuses a pin to a version that does not exist instead of upgrading silently', () => {
    expect(selectPrompt('lead-scoring', { 'lead-scoring': 7 })).toEqual({ ok: false, reason: 'the portal pins lead-scoring@7, which does not exist (versions: 1, 2, 3, 4, 5)' });
  });

  it('keeps every version an artefact of its own: v1 has no email draft, v2 does, v3 sees company and activity', () => {
    const v1 = selectPrompt('lead-scoring', { 'lead-scoring': 1 });
    const v2 = selectPrompt('lead-scoring', { 'lead-scoring': 2 });
    const v3 = selectPrompt('lead-scoring', undefined);
    const props = (c: typeof v1) => (c.ok ? Object.keys((c.prompt.tool.inputSchema as { properties: object }).properties) : []);
    expect(props(v1)).not.toContain('emailDraft');
    expect(props(v2)).toContain('emailDraft');
    expect(v2.ok && v2.prompt.context.related).toBeUndefined();
    expect(v3.ok && Object.keys(v3.prompt.context.related ?? {})).toEqual(['company', 'notes', 'emails']);
  });

  it('renders v1 and v2 exactly as before the context was widened, so their recorded hashes still match', () => {
    const input = { objectType: 'contacts' as const, objectId: '42', facts: { jobtitle: 'CEO', company: 'Acme' } };
    // The text decisions recorded before v3 existed (2026-11-28) were hashed from.
    expect(renderPrompt(LEAD_SCORING_V1, input).user).toBe('A new contact (id 42) was created in the CRM. Its properties:\n{\n  "jobtitle": "CEO",\n  "company": "Acme"\n}\nAssess this lead.');
    expect(renderPrompt(LEAD_SCORING_V2, input).user).toBe(renderPrompt(LEAD_SCORING_V1, input).user);
  });

  it('words v4 for a contact that is new or changed, and leaves v3 as it was recorded', () => {
    const input = { objectType: 'contacts' as const, objectId: '42', facts: { jobtitle: 'CEO' } };
    expect(renderPrompt(LEAD_SCORING_V3, input).user).toBe('A new contact (id 42) was created in the CRM. Its record, with its company and recent activity (newest first):\n{\n  "jobtitle": "CEO"\n}\nAssess this lead.');
    const v4 = renderPrompt(LEAD_SCORING_V4, input);
    expect(v4.user).toBe('A contact (id 42) as it stands in the CRM now: its record, with its company and recent activity (newest first):\n{\n  "contact": {\n    "jobtitle": "CEO"\n  }\n}\nAssess this lead.');
    expect(`${v4.system} ${v4.user}`).not.toMatch(/newly created|new contact/);
    expect(LEAD_SCORING_V4.context).toEqual(LEAD_SCORING_V3.context);
    expect(v4.hash).not.toBe(renderPrompt(LEAD_SCORING_V3, input).hash);
  });

  it('shows v4 the contact’s own company text next to its associated company (v3 lost it)', () => {
    const input = { objectType: 'contacts' as const, objectId: '42', facts: { company: 'Hamptons Realty', 'company.name': 'Hamptons Realty LLC', 'notes.1.hs_note_body': 'Called' } };
    expect(JSON.parse(renderPrompt(LEAD_SCORING_V4, input).user.split('\n').slice(1, -1).join('\n'))).toEqual({
      contact: { company: 'Hamptons Realty' },
      company: { name: 'Hamptons Realty LLC' },
      notes: { 1: { hs_note_body: 'Called' } },
    });
    expect(renderPrompt(LEAD_SCORING_V3, input).user).not.toContain('"Hamptons Realty"');
  });

  it('names a current model and an effort per capability from v5 (Lead AI) and v2 (Service AI), and drops the old tool instruction', () => {
    expect([LEAD_SCORING_V5.model, LEAD_SCORING_V5.effort]).toEqual(['claude-sonnet-5-5', 'medium']);
    expect([TICKET_TRIAGE_V2.model, TICKET_TRIAGE_V2.effort]).toEqual(['claude-haiku-5-5', 'low']);
    for (const p of [LEAD_SCORING_V5, TICKET_TRIAGE_V2]) {
      expect(p.system).not.toMatch(/calling the .* tool/);
      expect(p.system).toContain('Answer with the JSON object the output format describes');
    }
    expect(TICKET_TRIAGE_V2.context).toEqual(TICKET_TRIAGE_V1.context);
    // Older versions keep their hash: effort joins it only where a version sets it.
    const input = { objectType: 'contacts' as const, objectId: '42', facts: { jobtitle: 'CEO' } };
    expect(renderPrompt(LEAD_SCORING_V4, input)).not.toHaveProperty('effort');
    expect(renderPrompt(LEAD_SCORING_V5, input).hash).not.toBe(renderPrompt({ ...LEAD_SCORING_V5, effort: 'high' }, input).hash);
  });
});

describe('the capability registry', () => {
  it('lists every capability of the catalogue once, by a unique name and prompt id', () => {
    expect(CAPABILITIES.map((c) => c.name).sort()).toEqual([...CAPABILITY_NAMES].sort());
    expect(new Set(CAPABILITIES.map((c) => c.promptId)).size).toBe(CAPABILITIES.length);
    for (const name of CAPABILITY_NAMES) expect(capabilityNamed(name)?.name).toBe(name);
    expect(capabilityNamed('no-such-capability')).toBeUndefined();
  });

  describe.each(CAPABILITIES.map((c) => [c.name, c] as const))('%s', (_name, capability) => {
    it('answers triggers, the same webhooks and property changes its catalogue entry subscribes to', () => {
      const { webhooks, change, reviews } = capability.triggers;
      expect(webhooks.length > 0 || change !== undefined || reviews === true).toBe(true);
      const subscribed = capability.requirements.subscriptions.map((s) => s.subscriptionType);
      for (const type of webhooks) expect(subscribed).toContain(type);
      // Every property change it subscribes to is one that re-decides the record.
      for (const { subscriptionType, propertyName } of capability.requirements.subscriptions) {
        if (!subscriptionType.endsWith('.propertyChange') || !propertyName || !change) continue;
        expect(change([propertyName])).toBeUndefined();
      }
    });

    it('has prompt versions under its own prompt id, numbered 1, 2, … oldest first, each declaring its context', () => {
      expect(capability.prompts.map((p) => p.id)).toEqual(capability.prompts.map(() => capability.promptId));
      expect(capability.prompts.map((p) => p.version)).toEqual(capability.prompts.map((_, i) => i + 1));
      for (const prompt of capability.prompts) expect(prompt.context.record.length).toBeGreaterThan(0);
      expect(capabilityForPrompt(capability.promptId)).toBe(capability);
    });

    it('has an answer schema every prompt version sends, and offline rules whose answer passes it', () => {
      const latest = capability.prompts[capability.prompts.length - 1]!;
      expect(latest.tool.inputSchema).toEqual(answerJsonSchema(capability.answer as never));
      for (const facts of [{}, { jobtitle: 'VP Sales', company: 'Acme', subject: 'Refund', content: 'Charged twice!!' }] as Array<Record<string, string>>) {
        expect(checkAnswer(capability.answer, capability.offlineRules(facts))).toMatchObject({ ok: true });
      }
      expect(offlineRulesByPrompt().get(capability.promptId)).toBe(capability.offlineRules);
    });

    it('has the prompt versions and reads the settings libs/common names for it, which the admin API validates pins and settings by', () => {
      const configuration = CAPABILITY_CONFIGURATION[capability.name];
      expect(configuration.prompts).toEqual({ id: capability.promptId, versions: capability.prompts.map((p) => p.version) });
      expect(capability.settings).toBe(configuration.settings);
    });

    it('writes HubSpot properties of its own object type, from the catalogue onboarding reads', () => {
      expect(capability.requirements).toBe(CAPABILITY_REQUIREMENTS[capability.name]);
      expect(capability.requirements.properties.length).toBeGreaterThan(0);
      expect(capability.requirements.properties.filter((p) => p.objectType === capability.objectType).length).toBeGreaterThan(0);
    });
  });

  it('gives each trigger to one capability at most: webhook types and object types are not shared', () => {
    const webhooks = CAPABILITIES.flatMap((c) => c.triggers.webhooks);
    expect(new Set(webhooks).size).toBe(webhooks.length);
    const objectTypes = CAPABILITIES.map((c) => c.objectType);
    expect(new Set(objectTypes).size).toBe(objectTypes.length);
  });

  it('routes CRM triggers by the capabilities’ own declarations', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const webhook = (subscriptionType: string) => startStory({ type: 'WebhookEventReceived', portalId: 1, data: { subscriptionType, objectType: 'contacts', objectId: '5', hubspot: {} } }, now);
    const change = (objectType: string, properties: Record<string, string>) =>
      startStory({ type: 'ObjectChanged', portalId: 1, data: { objectType, objectId: '5', properties, sourceEventIds: [], firstOccurredAt: '', lastOccurredAt: '' } }, now);
    expect(routeTrigger(webhook('contact.creation'))).toMatchObject({ kind: 'decide', capability: { name: 'lead-ai' }, triggerType: 'contact.creation', objectId: '5' });
    expect(routeTrigger(webhook('contact.deletion'))).toBeUndefined();
    expect(routeTrigger(change('tickets', { hs_ticket_priority: 'HIGH' }))).toEqual({ kind: 'skip', reason: 'only a change to subject or content re-triages a ticket (changed: hs_ticket_priority)' });
    expect(routeTrigger(change('tickets', { subject: 'x' }))).toMatchObject({ kind: 'decide', capability: { name: 'service-ai' }, triggerType: 'ObjectChanged' });
    expect(routeTrigger(change('deals', { amount: '1' }))).toMatchObject({ kind: 'decide', capability: { name: 'management-ai' }, triggerType: 'ObjectChanged' });
    expect(routeTrigger(change('deals', { description: 'x' }))).toEqual({
      kind: 'skip',
      reason: 'only a change to dealstage, amount, closedate, hubspot_owner_id re-assesses a deal (changed: description)',
    });
    expect(routeTrigger(change('companies', { name: 'x' }))).toEqual({ kind: 'skip', reason: 'no handler for changes to companies' });
  });
});
