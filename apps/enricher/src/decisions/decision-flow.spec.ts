import { startStory, topicNames, type AppendRequest, type EventStore, type OperatorAlerts, type PlatformEvent, type PortalAccess } from '@app/common';
import type { AiAnswer, AiProvider } from '../ai/ai-provider';
import { AiProviderError, NO_USAGE, UnusableAnswerError } from '../ai/ai-provider';
import { ModelConcurrency } from '../ai/model-concurrency';
import type { AssembledContext, ContextAssembler } from '../context/context-assembler';
import type { CrmContext } from '../context/crm-context';
import { LEAD_AI } from '../capabilities/lead-ai/lead-ai.capability';
import { SERVICE_AI } from '../capabilities/service-ai/service-ai.capability';
import { DecisionFlow } from './decision-flow';
import { DecisionMaker } from './decision-maker';
import { ModelRefusalAlerts } from './model-refusal-alerts';
import type { DecisionRecords } from './decision-records';

const now = new Date('2026-11-28T10:00:00Z');
const topics = topicNames('t');
const trigger = startStory(
  { type: 'WebhookEventReceived', portalId: 7, data: { subscriptionType: 'contact.creation', objectType: 'contacts', objectId: '42', hubspot: {} as never } },
  now,
) as PlatformEvent<'WebhookEventReceived'>;

function contactContext(record: Record<string, string>, related: CrmContext['related'] = {}): AssembledContext {
  return { kind: 'assembled', context: { objectType: 'contacts', objectId: '42', record, related, reads: [{ call: 'read contacts 42', status: 200 }], rateLimit: { max: 190, remaining: 189 } } };
}

interface SetUp {
  decided?: boolean;
  settings?: Record<string, unknown>;
  read?: AssembledContext;
  answer?: Partial<AiAnswer> | Error;
  earlier?: Awaited<ReturnType<DecisionRecords['findByPromptHash']>>;
  /** Decisions changes to the record caused in the last 24 hours. */
  changeDecisions?: number;
  /** The tokens successive portal lookups return (the last one repeats). */
  tokens?: string[];
  alerts?: Record<string, { message: string; raisedAt: string }>;
  connection?: Record<string, unknown>;
}

function setUp(options: SetUp = {}) {
  const appendAll = jest.fn(async (_requests: AppendRequest[]) => ({ kind: 'committed' as const, results: [] }));
  const append = jest.fn(async () => ({ kind: 'appended' as const }));
  const eventStore = { has: jest.fn(async () => options.decided === true), appendAll, append } as unknown as EventStore;
  const tokens = [...(options.tokens ?? [])];
  const portals = {
    get: jest.fn(async () => ({ portal: { portalId: 7, status: 'active', settings: options.settings ?? {}, alerts: options.alerts ?? {}, connection: options.connection ?? {} }, accessToken: tokens.length > 1 ? tokens.shift()! : (tokens[0] ?? 'pat-7') })),
    forget: jest.fn(),
  } as unknown as PortalAccess;
  const assemble = jest.fn(async () => options.read ?? contactContext({ jobtitle: 'CEO', company: 'Acme', email: 'a@acme.io' }));
  const contexts = { assemble } as unknown as ContextAssembler;
  const answer = jest.fn(async (): Promise<AiAnswer> => {
    if (options.answer instanceof Error) throw options.answer;
    return { provider: 'anthropic', model: 'claude-sonnet-5-5', input: { messages: [] }, output: { score: 80, persona: 'decision_maker', summary: 'Fits.' }, raw: [], usage: NO_USAGE, latencyMs: 12, ...options.answer };
  });
  const ai: AiProvider = { name: 'anthropic', modelFor: () => 'claude-sonnet-5-5', answer };
  const countChangeDecisionsSince = jest.fn(async () => options.changeDecisions ?? 0);
  const records = { findByPromptHash: jest.fn(async () => options.earlier), countChangeDecisionsSince } as unknown as DecisionRecords;
  const maker = new DecisionMaker(ai, records, new ModelConcurrency({ global: 4, perPortal: 2 }));
  const raise = jest.fn(async () => undefined);
  const alerts = new ModelRefusalAlerts({ raise } as unknown as OperatorAlerts, portals);
  const flow = new DecisionFlow(eventStore, portals, contexts, maker, records, alerts, topics, () => now);
  const run = () => flow.run(LEAD_AI, { trigger, triggerType: 'contact.creation', objectId: '42' });
  return { flow, run, appendAll, append, answer, assemble, records, portals, countChangeDecisionsSince, raise };
}

describe('DecisionFlow with Lead AI', () => {
  it('skips, without reading HubSpot or asking the model, a capability the portal’s token lacks the scopes for', async () => {
    const connection = { mode: 'oauth', scopes: ['oauth'], capabilities: { enabled: ['service-ai'], blocked: [{ capability: 'lead-ai', missingScopes: ['crm.objects.contacts.write'] }] } };
    const { run, append, assemble, answer } = setUp({ connection });
    expect(await run()).toMatchObject({ kind: 'drop', reason: expect.stringContaining('lacks the scopes crm.objects.contacts.write') });
    expect(assemble).not.toHaveBeenCalled();
    expect(answer).not.toHaveBeenCalled();
    const skipped = (append.mock.calls[0] as unknown as [AppendRequest])[0].events[0]!;
    expect(skipped).toMatchObject({ type: 'TriggerSkipped', data: { reason: expect.stringContaining('lead-ai is off for portal 7') } });
    // Another capability's block does not stop this one.
    const other = setUp({ connection: { ...connection, capabilities: { enabled: ['lead-ai'], blocked: [{ capability: 'service-ai', missingScopes: ['tickets'] }] } } });
    expect(await other.run()).toEqual({ kind: 'done' });
  });

  it('records ContextFetched → DecisionMade → WritebackRequested in one append, publishing decision and writeback', async () => {
    const { run, appendAll, answer } = setUp();
    expect(await run()).toEqual({ kind: 'done' });
    // The model gets placeholders for personal data; the contact's domain stays as its own fact.
    const pseudonymised = { jobtitle: 'CEO', company: 'Acme', email: '{{EMAIL_1}}', email_domain: 'acme.io' };
    expect(answer).toHaveBeenCalledWith(expect.objectContaining({ promptId: 'lead-scoring', promptVersion: 5 }), pseudonymised, {});
    expect(JSON.stringify(answer.mock.calls[0])).not.toContain('a@acme.io');
    const requests = appendAll.mock.calls[0]![0];
    expect(requests.map((r) => [r.events.map((e) => e.type), r.publishTo])).toEqual([
      [['ContextFetched'], undefined],
      [['DecisionMade'], topics.decisions],
      [['WritebackRequested', 'WritebackRequested'], topics.writebacks],
    ]);
    const [context, decision, writeback] = requests.map((r) => r.events[0]!);
    expect(context!.data).toMatchObject({ snapshot: { jobtitle: 'CEO', company: 'Acme', email: 'a@acme.io' }, hubspotStatus: 200 });
    expect(decision).toMatchObject({ causationId: context!.id, correlationId: trigger.id, data: { prompt: { id: 'lead-scoring', version: 5 }, output: { score: 80 } } });
    expect(requests[2]!.events[1]).toMatchObject({ causationId: decision!.id, data: { kind: 'create-task', objectId: '42', priority: 'HIGH', dueAt: '2026-11-29T10:00:00.000Z' } });
    expect(writeback).toMatchObject({ causationId: decision!.id, data: { objectId: '42', properties: { ai_lead_score: '80', ai_persona: 'decision_maker', ai_summary: 'Fits.' } } });
  });

  it('puts the draft and the follow-up task on the contact’s primary company and open deal too, and records which in ContextFetched', async () => {
    const read = contactContext({ jobtitle: 'CEO', email: 'a@acme.io' });
    if (read.kind === 'assembled') read.context.associated = { primaryCompany: '201', openDeal: '302' };
    const { run, appendAll, answer, assemble } = setUp({ read, answer: { output: { score: 80, persona: 'decision_maker', summary: 'Fits.', emailDraft: 'Hi.' } } });
    expect(await run()).toEqual({ kind: 'done' });
    expect(assemble).toHaveBeenCalledWith(expect.anything(), 'contacts', '42', expect.anything(), ['primaryCompany', 'openDeal']);
    // The ids are the platform's, not the model's: the request is the one a context without them gives.
    const [prompt, facts] = answer.mock.calls[0] as unknown as [{ user: string }, Record<string, string>];
    expect(facts).toEqual({ jobtitle: 'CEO', email: '{{EMAIL_1}}', email_domain: 'acme.io' });
    expect(prompt.user).not.toMatch(/201|302|associated/);
    const [context, , writebacks] = appendAll.mock.calls[0]![0];
    expect(context!.events[0]!.data).toMatchObject({ snapshot: { 'associated.primaryCompany': '201', 'associated.openDeal': '302' } });
    const onAll = [{ objectType: 'companies', objectId: '201' }, { objectType: 'deals', objectId: '302' }];
    expect(writebacks!.events.map((e) => e.data)).toEqual([
      expect.not.objectContaining({ alsoAssociate: expect.anything() }),
      expect.objectContaining({ kind: 'create-note', objectId: '42', alsoAssociate: onAll }),
      expect.objectContaining({ kind: 'create-task', objectId: '42', alsoAssociate: onAll }),
    ]);
  });

  it('restores the contact’s name in the draft it writes back, while the decision keeps what the model saw and said', async () => {
    const read = contactContext({ firstname: 'Jane', jobtitle: 'CEO', email: 'jane@acme.io' });
    const { run, appendAll, answer } = setUp({ read, answer: { output: { score: 75, persona: 'decision_maker', summary: '{{FIRSTNAME_1}} leads Acme.', emailDraft: 'Dear {{FIRSTNAME_1}}, thanks for reaching out.' } } });
    expect(await run()).toEqual({ kind: 'done' });
    expect(JSON.stringify(answer.mock.calls[0])).not.toMatch(/Jane|jane@acme\.io/);
    const [, decisionRequest, writebackRequest] = appendAll.mock.calls[0]![0];
    expect(decisionRequest!.events[0]!.data).toMatchObject({ output: { emailDraft: 'Dear {{FIRSTNAME_1}}, thanks for reaching out.' } });
    const [update, note] = writebackRequest!.events.map((e) => e.data as Record<string, unknown>);
    expect(update).toMatchObject({ properties: { ai_summary: 'Jane leads Acme.' } });
    expect(note).toMatchObject({ kind: 'create-note', body: expect.stringContaining('Dear Jane, thanks for reaching out.') });
  });

  describe('a change to the contact', () => {
    const change = (properties: Record<string, string>) =>
      startStory(
        { type: 'ObjectChanged', portalId: 7, data: { objectType: 'contacts', objectId: '42', properties, sourceEventIds: [], firstOccurredAt: '', lastOccurredAt: '' } },
        now,
      ) as PlatformEvent<'ObjectChanged'>;

    it('re-scores the contact when the prompt reads a changed property, writing only its ai_ properties (no second draft or task)', async () => {
      const { flow, appendAll, answer, assemble } = setUp();
      const trigger = change({ jobtitle: 'CEO', hs_email_optout: 'false' });
      expect(await flow.run(LEAD_AI, { trigger, triggerType: 'ObjectChanged', objectId: '42' })).toEqual({ kind: 'done' });
      expect(answer).toHaveBeenCalledTimes(1);
      // No note or task to associate: no company or deal is looked up.
      expect(assemble).toHaveBeenCalledWith(expect.anything(), 'contacts', '42', expect.anything(), []);
      const [context, decision, writebacks] = appendAll.mock.calls[0]![0];
      expect(context!.events[0]!.type).toBe('ContextFetched');
      expect(decision!.events[0]!.data).toMatchObject({ trigger: { eventId: trigger.id, type: 'ObjectChanged' } });
      expect(writebacks!.events.map((e) => e.data)).toEqual([
        expect.objectContaining({ kind: 'update-properties', properties: { ai_lead_score: '80', ai_persona: 'decision_maker', ai_summary: 'Fits.' } }),
      ]);
    });

    it('stops re-deciding a record once its changes caused the portal’s daily cap of decisions (default 5), without a read or a model call', async () => {
      const trigger = change({ jobtitle: 'CEO' });
      const under = setUp({ changeDecisions: 4 });
      expect(await under.flow.run(LEAD_AI, { trigger, triggerType: 'ObjectChanged', objectId: '42' })).toEqual({ kind: 'done' });
      expect(under.countChangeDecisionsSince).toHaveBeenCalledWith('crm-7-contacts-42', new Date(now.getTime() - 24 * 3_600_000));

      const at = setUp({ changeDecisions: 5 });
      expect(await at.flow.run(LEAD_AI, { trigger, triggerType: 'ObjectChanged', objectId: '42' })).toMatchObject({ kind: 'drop', reason: expect.stringContaining('contacts 42 caused 5 decisions in the last 24 hours') });
      expect(at.assemble).not.toHaveBeenCalled();
      expect(at.answer).not.toHaveBeenCalled();
      expect(at.append).toHaveBeenCalledWith(
        expect.objectContaining({ streamId: 'crm-7-contacts-42', events: [expect.objectContaining({ type: 'TriggerSkipped', data: expect.objectContaining({ reason: expect.stringContaining('aiLimits.changeDecisionsPerRecordPerDay = 5') }) })] }),
      );
    });

    it('takes the cap from the portal’s aiLimits; 0 lets no change re-decide; creations and redeliveries are never capped', async () => {
      const trigger = change({ jobtitle: 'CEO' });
      const two = setUp({ settings: { aiLimits: { changeDecisionsPerRecordPerDay: 2 } }, changeDecisions: 2 });
      expect(await two.flow.run(LEAD_AI, { trigger, triggerType: 'ObjectChanged', objectId: '42' })).toMatchObject({ kind: 'drop', reason: expect.stringContaining('= 2)') });

      const none = setUp({ settings: { aiLimits: { changeDecisionsPerRecordPerDay: 0 } } });
      expect(await none.flow.run(LEAD_AI, { trigger, triggerType: 'ObjectChanged', objectId: '42' })).toMatchObject({ kind: 'drop', reason: expect.stringContaining('lets no change re-decide') });
      expect(none.countChangeDecisionsSince).not.toHaveBeenCalled();

      const creation = setUp({ settings: { aiLimits: { changeDecisionsPerRecordPerDay: 0 } }, changeDecisions: 99 });
      expect(await creation.run()).toEqual({ kind: 'done' });
      expect(creation.countChangeDecisionsSince).not.toHaveBeenCalled();

      // A redelivered change whose own decision is what reached the cap is done, not skipped.
      const redelivered = setUp({ decided: true, changeDecisions: 5 });
      expect(await redelivered.flow.run(LEAD_AI, { trigger, triggerType: 'ObjectChanged', objectId: '42' })).toEqual({ kind: 'done' });
      expect(redelivered.append).not.toHaveBeenCalled();
    });

    it('records a change to properties the prompt does not read as skipped, without a read or a model call', async () => {
      const { flow, append, answer, assemble } = setUp();
      const trigger = change({ hs_email_optout: 'true', notes_last_contacted: '2026-11-28' });
      expect(await flow.run(LEAD_AI, { trigger, triggerType: 'ObjectChanged', objectId: '42' })).toMatchObject({ kind: 'drop' });
      expect(assemble).not.toHaveBeenCalled();
      expect(answer).not.toHaveBeenCalled();
      expect(append).toHaveBeenCalledWith(
        expect.objectContaining({
          streamId: 'crm-7-contacts-42',
          events: [expect.objectContaining({ type: 'TriggerSkipped', data: expect.objectContaining({ reason: 'lead-scoring@5 reads none of the changed properties (hs_email_optout, notes_last_contacted)' }) })],
        }),
      );
    });
  });

  it('uses the prompt version the portal pins, and dead-letters a pin to a version that does not exist', async () => {
    const pinned = setUp({ settings: { promptVersions: { 'lead-scoring': 1 } } });
    expect(await pinned.run()).toEqual({ kind: 'done' });
    expect(pinned.answer).toHaveBeenCalledWith(expect.objectContaining({ promptId: 'lead-scoring', promptVersion: 1 }), expect.anything(), {});
    expect(pinned.appendAll.mock.calls[0]![0][1]!.events[0]!.data).toMatchObject({ prompt: { id: 'lead-scoring', version: 1 } });

    const broken = setUp({ settings: { promptVersions: { 'lead-scoring': 9 } } });
    expect(await broken.run()).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('pins lead-scoring@9') });
    expect(broken.answer).not.toHaveBeenCalled();
  });

  it('never pays twice: a trigger whose decision is recorded is done without a read or a model call', async () => {
    const { run, answer, assemble } = setUp({ decided: true });
    expect(await run()).toEqual({ kind: 'done' });
    expect(answer).not.toHaveBeenCalled();
    expect(assemble).not.toHaveBeenCalled();
  });

  it('records a contact deleted before it was read as skipped, not an error', async () => {
    const { run, append, answer } = setUp({ read: { kind: 'failed', call: 'read contacts 42', failure: { kind: 'not-found', reason: 'HubSpot 404' } } });
    expect(await run()).toEqual({ kind: 'done' });
    expect(answer).not.toHaveBeenCalled();
    expect(append).toHaveBeenCalledWith(expect.objectContaining({ events: [expect.objectContaining({ type: 'TriggerSkipped' })] }));
  });

  it('retries a HubSpot outage and dead-letters a revoked token', async () => {
    expect(await setUp({ read: { kind: 'failed', call: 'read contacts 42', failure: { kind: 'retry', reason: 'HubSpot 503' } } }).run()).toMatchObject({ kind: 'retry' });
    expect(await setUp({ read: { kind: 'failed', call: 'read contacts 42', failure: { kind: 'unauthorized', reason: 'HubSpot 401', status: 401 } } }).run()).toMatchObject({ kind: 'dead-letter' });
  });

  it('dead-letters a 401 or 403 at once: the door already renewed the token once, so another try would only repeat the refusal', async () => {
    for (const status of [401, 403] as const) {
      const refused = setUp({ tokens: ['pat-old', 'pat-new'], read: { kind: 'failed', call: 'read contacts 42', failure: { kind: 'unauthorized', reason: `HubSpot ${status}`, status } } });
      expect(await refused.run()).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining(`HubSpot ${status}`) });
      expect(refused.portals.get).toHaveBeenCalledTimes(1);
    }
  });

  it('asks once more, quoting the validation errors, then records the failure with both whole replies and dead-letters the trigger with them', async () => {
    // A reply longer than any excerpt: the dead letter and the record must keep all of it.
    const rambling = { type: 'text', text: `Let me think. ${'The lead looks strong. '.repeat(200)}` };
    const invalid = { score: 140, persona: 'wizard', summary: '' };
    const usage = { inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
    const { run, appendAll, append, answer } = setUp({ answer: { output: invalid, raw: [rambling, { type: 'tool_use', input: invalid }], usage, latencyMs: 7 } });
    const outcome = await run();
    expect(answer).toHaveBeenCalledTimes(2);
    const repair = ((answer.mock.calls[1] as unknown[])[2] as { repair: { problems: string[]; previous: { output: unknown } } }).repair;
    expect(repair.problems).toEqual(expect.arrayContaining(['score must not be greater than 100']));
    expect(repair.previous.output).toEqual(invalid);
    expect(appendAll).not.toHaveBeenCalled();

    const recorded = (append.mock.calls[0] as unknown as [AppendRequest])[0];
    expect(recorded.events.map((e) => e.type)).toEqual(['ContextFetched', 'DecisionFailed']);
    const failure = recorded.events[1]! as PlatformEvent<'DecisionFailed'>;
    expect(failure.causationId).toBe(recorded.events[0]!.id);
    expect(failure.data).toMatchObject({
      prompt: { id: 'lead-scoring', version: 5 },
      reason: expect.stringContaining('failed validation twice: score must not be greater than 100'),
      usage: { inputTokens: 200, outputTokens: 40 },
      costUsd: 0.0008, // Sonnet 5.5: 200 × $2 + 40 × $10 per million tokens
      latencyMs: 14,
    });
    expect(failure.data.answers).toHaveLength(2);
    expect(failure.data.answers[0]!.raw).toEqual([rambling, { type: 'tool_use', input: invalid }]);

    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining(`failed validation twice: score must not be greater than 100`) });
    const reason = (outcome as { reason: string }).reason;
    expect(reason).toContain(`DecisionFailed ${failure.id}`);
    expect(reason).toContain(`reply 1: ${JSON.stringify([rambling, { type: 'tool_use', input: invalid }])}`);
    expect(reason).toContain('reply 2: ');
  });

  it('asks once more with more room when a reply ran out of tokens, then records both replies with their cost and dead-letters the trigger', async () => {
    const cutOff = { provider: 'anthropic' as const, model: 'claude-sonnet-5-5', input: { max_tokens: 1024 }, output: undefined, raw: [{ type: 'thinking', thinking: '', signature: 's' }], usage: { inputTokens: 900, outputTokens: 1024, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, thinkingTokens: 1024 }, latencyMs: 30 };
    const { run, append, answer } = setUp({ answer: new UnusableAnswerError('the model ran out of tokens while thinking, before any answer (max_tokens 1024)', 'no-room', cutOff) });
    const outcome = await run();
    expect(answer).toHaveBeenCalledTimes(2);
    expect(answer.mock.calls.map((c) => (c as unknown[])[2])).toEqual([{}, { moreRoom: true }]);
    // Each reply keeps the request it answered when it differs from the first.
    expect(answer.mock.results.length).toBe(2);
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: expect.stringMatching(/^the model ran out of tokens while thinking, before any answer \(max_tokens 1024\) \(DecisionFailed [0-9a-f-]+\); reply 1: .*; reply 2: /) });
    const recorded = (append.mock.calls[0] as unknown as [AppendRequest])[0];
    expect(recorded.events[1]!.data).toMatchObject({ model: 'claude-sonnet-5-5', input: { max_tokens: 1024 }, answers: [{ raw: cutOff.raw }, { raw: cutOff.raw }], usage: { outputTokens: 2048, thinkingTokens: 2048 } });
    // Sonnet 5.5: 1,800 × $2 + 2,048 × $10 per million tokens, thinking billed as output.
    expect((recorded.events[1]!.data as { costUsd: number }).costUsd).toBe(0.02408);
  });

  it('does not retry a refusal or a reply without an answer: it records it and dead-letters the trigger', async () => {
    const declined = { provider: 'anthropic' as const, model: 'claude-sonnet-5-5', input: {}, output: undefined, raw: [], usage: NO_USAGE, latencyMs: 3 };
    const { run, answer } = setUp({ answer: new UnusableAnswerError('the model declined to answer (stop_reason refusal)', 'refused', declined) });
    expect(await run()).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('declined') });
    expect(answer).toHaveBeenCalledTimes(1);
  });

  it('dead-letters a request the model refuses (400) and raises model-request-rejected once, naming the model and the setting', async () => {
    const refusal = () => new AiProviderError('Anthropic 400 invalid_request_error for claude-sonnet-5-5: tool_choice: type "tool" and "any" are not supported for this model.', 'request-rejected', { status: 400, code: 'invalid_request_error', setting: 'tool_choice', model: 'claude-sonnet-5-5' });
    const first = setUp({ answer: refusal() });
    expect(await first.run()).toEqual({ kind: 'dead-letter', reason: refusal().message });
    expect(first.answer).toHaveBeenCalledTimes(1);
    const key = 'claude-sonnet-5-5 refused the request (400 invalid_request_error, setting tool_choice)';
    expect(first.raise).toHaveBeenCalledWith(trigger, 7, { alert: 'model-request-rejected', message: `${key}: ${refusal().message}`, hubspotStatus: null, model: 'claude-sonnet-5-5', setting: 'tool_choice', apiStatus: 400, pause: false });
    // The cached portal is dropped so the next decision sees the alert.
    expect(first.portals.forget).toHaveBeenCalledWith(7);
    // The portal already shows this refusal (in other words of the API's): the next trigger dead-letters without raising it again.
    const next = setUp({ answer: refusal(), alerts: { 'model-request-rejected': { message: `${key}: the API said it differently`, raisedAt: now.toISOString() } } });
    expect(await next.run()).toMatchObject({ kind: 'dead-letter' });
    expect(next.raise).not.toHaveBeenCalled();
  });

  it('records a repaired answer with the first answer, its problems and both calls’ tokens', async () => {
    const { run, appendAll, answer } = setUp();
    const usage = { inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 80, cacheCreationInputTokens: 0 };
    answer.mockResolvedValueOnce({ provider: 'anthropic', model: 'claude-sonnet-5-5', input: {}, output: { score: 'high', persona: 'decision_maker', summary: 'Fits.' }, raw: [], usage, latencyMs: 5 });
    answer.mockResolvedValueOnce({ provider: 'anthropic', model: 'claude-sonnet-5-5', input: { repaired: true }, output: { score: 81, persona: 'decision_maker', summary: 'Fits.' }, raw: [], usage, latencyMs: 5 });
    expect(await run()).toEqual({ kind: 'done' });
    const decision = appendAll.mock.calls[0]![0][1]!.events[0]!;
    expect(decision.data).toMatchObject({
      input: { repaired: true },
      output: { score: 81 },
      usage: { inputTokens: 200, outputTokens: 40, cacheReadInputTokens: 160 },
      // Sonnet 5.5 list prices: 200 × $2 + 40 × $10 + 160 × $0.10 per million tokens.
      costUsd: 0.000816,
      repairedFrom: { output: { score: 'high' }, problems: expect.arrayContaining([expect.stringContaining('score must be a number')]) },
    });
  });

  it('retries a retriable model failure and dead-letters a permanent one', async () => {
    expect(await setUp({ answer: new AiProviderError('Anthropic 529', 'overloaded', { status: 529, retryAfterMs: 2000 }) }).run()).toEqual({ kind: 'retry', reason: 'Anthropic 529', retryAfterMs: 2000 });
    const tooLarge = setUp({ answer: new AiProviderError('too large', 'request-too-large', { status: 413 }) });
    expect(await tooLarge.run()).toEqual({ kind: 'dead-letter', reason: 'too large' });
    // About this input only: no alert.
    expect(tooLarge.raise).not.toHaveBeenCalled();
  });

  it('never pays twice: the same input to the same prompt version reuses the recorded answer without a model call', async () => {
    const earlier = {
      id: 'e1a1e1a1-0000-4000-8000-000000000001',
      data: {
        trigger: { eventId: 'older', type: 'contact.creation' },
        prompt: { id: 'lead-scoring', version: 3, hash: 'h' },
        provider: 'anthropic' as const,
        model: 'claude-sonnet-5-5',
        input: { messages: ['as sent'] },
        output: { score: 66, persona: 'influencer', summary: 'Seen before.' },
        usage: { inputTokens: 900, outputTokens: 90, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
        costUsd: 0.004,
        latencyMs: 800,
      },
    };
    const { run, appendAll, answer, records } = setUp({ earlier });
    expect(await run()).toEqual({ kind: 'done' });
    expect(answer).not.toHaveBeenCalled();
    const [hashPortal, hash] = (records.findByPromptHash as jest.Mock).mock.calls[0]!;
    expect(hashPortal).toBe(7);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const [, decisionRequest, writebacks] = appendAll.mock.calls[0]![0];
    expect(decisionRequest!.events[0]!.data).toEqual({
      trigger: { eventId: trigger.id, type: 'contact.creation' },
      prompt: { id: 'lead-scoring', version: 5, hash },
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      input: { messages: ['as sent'] },
      output: { score: 66, persona: 'influencer', summary: 'Seen before.' },
      usage: NO_USAGE,
      costUsd: 0,
      latencyMs: 0,
      reusedFrom: { decisionId: earlier.id },
    });
    expect(writebacks!.events[0]!.data).toMatchObject({ properties: { ai_lead_score: '66' } });
  });

  it('does not reuse an answer from another provider or model (the offline rules, or before the model changed)', async () => {
    const base = { trigger: { eventId: 'older', type: 'contact.creation' }, prompt: { id: 'lead-scoring', version: 3, hash: 'h' }, input: {}, output: { score: 10, persona: 'unknown', summary: 'Rules.' }, usage: NO_USAGE, latencyMs: 0 };
    const offline = setUp({ earlier: { id: 'e1a1e1a1-0000-4000-8000-000000000003', data: { ...base, provider: 'offline-rules', model: 'offline-rules-v1' } } });
    expect(await offline.run()).toEqual({ kind: 'done' });
    expect(offline.answer).toHaveBeenCalledTimes(1);
    const otherModel = setUp({ earlier: { id: 'e1a1e1a1-0000-4000-8000-000000000004', data: { ...base, provider: 'anthropic', model: 'claude-haiku-4-5' } } });
    expect(await otherModel.run()).toEqual({ kind: 'done' });
    expect(otherModel.answer).toHaveBeenCalledTimes(1);
  });

  it('does not reuse an earlier answer that no longer validates, and a forced call skips the lookup', async () => {
    const stale = { id: 'e1a1e1a1-0000-4000-8000-000000000002', data: { provider: 'anthropic', model: 'claude-sonnet-5-5', output: { score: 'high' } } as never };
    const { run, answer } = setUp({ earlier: stale });
    expect(await run()).toEqual({ kind: 'done' });
    expect(answer).toHaveBeenCalledTimes(1);

    const forced = setUp({ earlier: stale });
    const maker = new DecisionMaker({ name: 'anthropic', modelFor: () => 'claude-sonnet-5-5', answer: forced.answer }, forced.records, new ModelConcurrency({ global: 1, perPortal: 1 }));
    const context = (contactContext({ jobtitle: 'CEO' }) as Extract<AssembledContext, { kind: 'assembled' }>).context;
    const portal = { portalId: 7, status: 'active', settings: {} } as never;
    const { LEAD_SCORING_PROMPT } = await import('../capabilities/lead-ai/lead-scoring.prompt');
    const result = await maker.decide({ trigger, triggerType: 'replay', portal, prompt: LEAD_SCORING_PROMPT, context, answer: LEAD_AI.answer, now, forceModelCall: true });
    expect(result.kind).toBe('decided');
    expect(forced.records.findByPromptHash).not.toHaveBeenCalled();
    expect(forced.answer).toHaveBeenCalledTimes(1);
  });
});

describe('DecisionFlow with Service AI', () => {
  const ticketTrigger = startStory(
    { type: 'WebhookEventReceived', portalId: 7, data: { subscriptionType: 'ticket.creation', objectType: 'tickets', objectId: '900', hubspot: {} as never } },
    now,
  ) as PlatformEvent<'WebhookEventReceived'>;
  const ticket: AssembledContext = {
    kind: 'assembled',
    context: {
      objectType: 'tickets',
      objectId: '900',
      record: { subject: 'Charged twice', content: 'Hi, this is Jane Doe. Call me on +44 20 7946 0958 or jane@doe.io.' },
      related: {
        contacts: [{ id: '42', properties: { firstname: 'Jane', lastname: 'Doe', email: 'jane@doe.io' } }],
        company: [{ id: '5', properties: { name: 'Doe Ltd', domain: 'doe.io' } }],
        previousTickets: [{ id: '800', properties: { subject: 'Invoice missing', ai_category: 'billing_issue' } }],
        emails: [{ id: '77', properties: { hs_email_direction: 'INCOMING_EMAIL', hs_email_text: 'Jane here, still waiting. jane@doe.io' } }],
      },
      associated: { requester: '42' },
      reads: [{ call: 'read tickets 900', status: 200 }],
      rateLimit: {},
    },
  };

  it('triages a ticket from its whole context without showing the model personal data, then writes priority, routing, draft and SLA task', async () => {
    const settings = { serviceRouting: { defaultOwnerId: '11', rules: [{ category: 'billing_issue', minPriority: 'HIGH', teamId: '3', ownerId: '31' }], slaHours: { HIGH: 2 } } };
    const { flow, appendAll, answer } = setUp({
      settings,
      read: ticket,
      answer: { output: { category: 'billing_issue', priority: 'HIGH', sentiment: 'frustrated', summary: '{{FIRSTNAME_1}} was charged twice.', replyDraft: 'Hi {{FIRSTNAME_1}}, sorry about the double charge.' } },
    });
    expect(await flow.run(SERVICE_AI, { trigger: ticketTrigger, triggerType: 'ticket.creation', objectId: '900' })).toEqual({ kind: 'done' });
    const [prompt, facts] = answer.mock.calls[0] as unknown as [{ promptId: string; user: string }, Record<string, string>];
    expect(prompt.promptId).toBe('ticket-triage');
    expect(JSON.stringify(answer.mock.calls[0])).not.toMatch(/Jane|Doe\b|jane@doe\.io|7946/);
    // A person's name is replaced wherever it appears, even inside a company name.
    expect(facts).toMatchObject({ 'company.name': '{{LASTNAME_1}} Ltd', 'previousTickets.1.ai_category': 'billing_issue', 'contacts.1.email_domain': 'doe.io' });
    expect(prompt.user).toContain('"previousTickets"');

    const [context, decision, writebacks] = appendAll.mock.calls[0]![0];
    expect(context!.events[0]!.data).toMatchObject({ objectType: 'tickets', snapshot: { 'contacts.1.firstname': 'Jane' }, reads: [{ call: 'read tickets 900', status: 200 }] });
    expect(decision!.events[0]!.data).toMatchObject({ prompt: { id: 'ticket-triage', version: 2 }, output: { summary: '{{FIRSTNAME_1}} was charged twice.' } });
    expect(writebacks!.events.map((e) => e.data)).toEqual([
      expect.objectContaining({
        kind: 'update-properties',
        objectType: 'tickets',
        objectId: '900',
        properties: { ai_category: 'billing_issue', ai_sentiment: 'frustrated', ai_summary: 'Jane was charged twice.', hs_ticket_priority: 'HIGH', hubspot_owner_id: '31', hubspot_team_id: '3' },
      }),
      expect.objectContaining({ kind: 'create-note', objectType: 'tickets', body: expect.stringContaining('Hi Jane, sorry about the double charge.'), alsoAssociate: [{ objectType: 'contacts', objectId: '42' }] }),
      expect.objectContaining({
        kind: 'create-task',
        objectType: 'tickets',
        ownerId: '31',
        priority: 'HIGH',
        dueAt: '2026-11-28T12:00:00.000Z',
        subject: expect.stringContaining('within 2 h'),
        alsoAssociate: [{ objectType: 'contacts', objectId: '42' }],
      }),
    ]);
    expect(context!.events[0]!.data).toMatchObject({ snapshot: { 'associated.requester': '42' } });
  });

  it('prices each paid reply on its own: two Haiku 5.5 calls of 60,000 tokens each stay under the long-prompt tier', async () => {
    const { run, appendAll, answer } = setUp();
    const usage = { inputTokens: 60_000, outputTokens: 1_000, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
    answer.mockResolvedValueOnce({ provider: 'anthropic', model: 'claude-haiku-5-5', input: {}, output: { score: 'high', persona: 'decision_maker', summary: 'Fits.' }, raw: [], usage, latencyMs: 5 });
    answer.mockResolvedValueOnce({ provider: 'anthropic', model: 'claude-haiku-5-5', input: {}, output: { score: 81, persona: 'decision_maker', summary: 'Fits.' }, raw: [], usage, latencyMs: 5 });
    expect(await run()).toEqual({ kind: 'done' });
    const decision = appendAll.mock.calls[0]![0][1]!.events[0]!;
    // 2 × (60,000 × $0.10 + 1,000 × $0.50) per million = $0.013, not the long-prompt price of their sum ($0.065).
    expect(decision.data).toMatchObject({ usage: { inputTokens: 120_000, outputTokens: 2_000 }, costUsd: 0.013 });
  });

  it('records what was paid before a call failed: a first answer that needed repair, then the repair overloaded', async () => {
    const { run, append, answer } = setUp();
    const usage = { inputTokens: 1_000, outputTokens: 100, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
    answer.mockResolvedValueOnce({ provider: 'anthropic', model: 'claude-sonnet-5-5', input: { first: true }, output: { score: 'high', persona: 'decision_maker', summary: 'Fits.' }, raw: [{ type: 'text', text: '{}' }], usage, latencyMs: 5 });
    answer.mockRejectedValueOnce(new AiProviderError('Anthropic 529', 'overloaded', { status: 529, retryAfterMs: 1000 }));
    expect(await run()).toEqual({ kind: 'retry', reason: 'Anthropic 529', retryAfterMs: 1000 });
    const recorded = (append.mock.calls[0] as unknown as [AppendRequest])[0];
    expect(recorded.events.map((e) => e.type)).toEqual(['ContextFetched', 'DecisionFailed']);
    // Sonnet 5.5: 1,000 × $2 + 100 × $10 per million.
    expect(recorded.events[1]!.data).toMatchObject({ reason: expect.stringContaining('paid replies before the call failed: Anthropic 529'), usage: { inputTokens: 1_000 }, costUsd: 0.003 });
  });
});
