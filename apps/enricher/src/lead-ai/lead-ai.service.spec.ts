import { startStory, topicNames, type AppendRequest, type EventStore, type PlatformEvent, type PortalRepository } from '@app/common';
import type { AiAnswer, AiProvider } from '../ai/ai-provider';
import { AiProviderError, NO_USAGE } from '../ai/ai-provider';
import type { CrmReader } from '../crm/crm-reader';
import { LeadAiService } from './lead-ai.service';

const now = new Date('2026-11-28T10:00:00Z');
const topics = topicNames('t');
const trigger = startStory(
  { type: 'WebhookEventReceived', portalId: 7, data: { subscriptionType: 'contact.creation', objectType: 'contacts', objectId: '42', hubspot: {} as never } },
  now,
) as PlatformEvent<'WebhookEventReceived'>;

function setUp(options: { decided?: boolean; settings?: Record<string, unknown>; read?: Awaited<ReturnType<CrmReader['getObject']>>; answer?: Partial<AiAnswer> | Error } = {}) {
  const appendAll = jest.fn(async (_requests: AppendRequest[]) => ({ kind: 'committed' as const, results: [] }));
  const append = jest.fn(async () => ({ kind: 'appended' as const }));
  const eventStore = { findById: jest.fn(async () => (options.decided ? ({} as never) : undefined)), appendAll, append } as unknown as EventStore;
  const portals = { findWithAccessToken: jest.fn(async () => ({ portal: { portalId: 7, status: 'active', settings: options.settings ?? {} }, accessToken: 'pat-7' })) } as unknown as PortalRepository;
  const crm = { getObject: jest.fn(async () => options.read ?? { kind: 'found', id: '42', properties: { jobtitle: 'CEO', company: 'Acme', email: 'a@acme.io', hs_object_id: '42' }, status: 200, rateLimit: { max: 190, remaining: 189 } }) } as unknown as CrmReader;
  const answer = jest.fn(async (): Promise<AiAnswer> => {
    if (options.answer instanceof Error) throw options.answer;
    return { provider: 'anthropic', model: 'claude-sonnet-5-5', input: { messages: [] }, output: { score: 80, persona: 'decision_maker', summary: 'Fits.' }, usage: NO_USAGE, latencyMs: 12, ...options.answer };
  });
  const ai: AiProvider = { name: 'anthropic', answer };
  const service = new LeadAiService(eventStore, portals, crm, ai, topics, () => now);
  return { service, appendAll, append, answer, crm };
}

describe('LeadAiService', () => {
  it('records ContextFetched → DecisionMade → WritebackRequested in one append, publishing decision and writeback', async () => {
    const { service, appendAll, answer } = setUp();
    expect(await service.handleContactCreated(trigger)).toEqual({ kind: 'done' });
    // The model gets placeholders for personal data; the contact's domain stays as its own fact.
    const pseudonymised = { jobtitle: 'CEO', company: 'Acme', email: '{{EMAIL_1}}', email_domain: 'acme.io' };
    expect(answer).toHaveBeenCalledWith(expect.objectContaining({ promptId: 'lead-scoring', promptVersion: 2 }), pseudonymised);
    expect(JSON.stringify(answer.mock.calls[0])).not.toContain('a@acme.io');
    const requests = appendAll.mock.calls[0]![0];
    expect(requests.map((r) => [r.events.map((e) => e.type), r.publishTo])).toEqual([
      [['ContextFetched'], undefined],
      [['DecisionMade'], topics.decisions],
      [['WritebackRequested', 'WritebackRequested'], topics.writebacks],
    ]);
    const [context, decision, writeback] = requests.map((r) => r.events[0]!);
    expect(context!.data).toMatchObject({ snapshot: { jobtitle: 'CEO', company: 'Acme', email: 'a@acme.io' }, hubspotStatus: 200 });
    expect(decision).toMatchObject({ causationId: context!.id, correlationId: trigger.id, data: { prompt: { id: 'lead-scoring', version: 2 }, output: { score: 80 } } });
    expect(requests[2]!.events[1]).toMatchObject({ causationId: decision!.id, data: { kind: 'create-task', objectId: '42', priority: 'HIGH', dueAt: '2026-11-29T10:00:00.000Z' } });
    expect(writeback).toMatchObject({ causationId: decision!.id, data: { objectId: '42', properties: { ai_lead_score: '80', ai_persona: 'decision_maker', ai_summary: 'Fits.' } } });
  });

  it('restores the contact’s name in the draft it writes back, while the decision keeps what the model saw and said', async () => {
    const read = { kind: 'found' as const, id: '42', properties: { firstname: 'Jane', jobtitle: 'CEO', email: 'jane@acme.io' }, status: 200, rateLimit: {} };
    const { service, appendAll, answer } = setUp({ read, answer: { output: { score: 75, persona: 'decision_maker', summary: '{{FIRSTNAME_1}} leads Acme.', emailDraft: 'Dear {{FIRSTNAME_1}}, thanks for reaching out.' } } });
    expect(await service.handleContactCreated(trigger)).toEqual({ kind: 'done' });
    expect(JSON.stringify(answer.mock.calls[0])).not.toMatch(/Jane|jane@acme\.io/);
    const [, decisionRequest, writebackRequest] = appendAll.mock.calls[0]![0];
    expect(decisionRequest!.events[0]!.data).toMatchObject({ output: { emailDraft: 'Dear {{FIRSTNAME_1}}, thanks for reaching out.' } });
    const [update, note] = writebackRequest!.events.map((e) => e.data as Record<string, unknown>);
    expect(update).toMatchObject({ properties: { ai_summary: 'Jane leads Acme.' } });
    expect(note).toMatchObject({ kind: 'create-note', body: expect.stringContaining('Dear Jane, thanks for reaching out.') });
  });

  it('uses the prompt version the portal pins, and dead-letters a pin to a version that does not exist', async () => {
    const pinned = setUp({ settings: { promptVersions: { 'lead-scoring': 1 } } });
    expect(await pinned.service.handleContactCreated(trigger)).toEqual({ kind: 'done' });
    expect(pinned.answer).toHaveBeenCalledWith(expect.objectContaining({ promptId: 'lead-scoring', promptVersion: 1 }), expect.anything());
    expect(pinned.appendAll.mock.calls[0]![0][1]!.events[0]!.data).toMatchObject({ prompt: { id: 'lead-scoring', version: 1 } });

    const broken = setUp({ settings: { promptVersions: { 'lead-scoring': 9 } } });
    expect(await broken.service.handleContactCreated(trigger)).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('pins lead-scoring@9') });
    expect(broken.answer).not.toHaveBeenCalled();
  });

  it('never pays twice: a trigger whose decision is recorded is done without a read or a model call', async () => {
    const { service, answer, crm } = setUp({ decided: true });
    expect(await service.handleContactCreated(trigger)).toEqual({ kind: 'done' });
    expect(answer).not.toHaveBeenCalled();
    expect(crm.getObject).not.toHaveBeenCalled();
  });

  it('records a contact deleted before it was read as skipped, not an error', async () => {
    const { service, append, answer } = setUp({ read: { kind: 'failed', failure: { kind: 'not-found', reason: 'HubSpot 404' } } });
    expect(await service.handleContactCreated(trigger)).toEqual({ kind: 'done' });
    expect(answer).not.toHaveBeenCalled();
    expect(append).toHaveBeenCalledWith(expect.objectContaining({ events: [expect.objectContaining({ type: 'TriggerSkipped' })] }));
  });

  it('retries a HubSpot outage and dead-letters a revoked token', async () => {
    expect(await setUp({ read: { kind: 'failed', failure: { kind: 'retry', reason: 'HubSpot 503' } } }).service.handleContactCreated(trigger)).toMatchObject({ kind: 'retry' });
    expect(await setUp({ read: { kind: 'failed', failure: { kind: 'unauthorized', reason: 'HubSpot 401' } } }).service.handleContactCreated(trigger)).toMatchObject({ kind: 'dead-letter' });
  });

  it('asks once more, quoting the validation errors, and dead-letters a second invalid answer with both answers', async () => {
    const { service, appendAll, answer } = setUp({ answer: { output: { score: 140, persona: 'wizard', summary: '' } } });
    const outcome = await service.handleContactCreated(trigger);
    expect(answer).toHaveBeenCalledTimes(2);
    const repair = (answer.mock.calls[1] as unknown[])[2] as { problems: string[]; previous: { output: unknown } };
    expect(repair.problems).toEqual(expect.arrayContaining(['score must not be greater than 100']));
    expect(repair.previous.output).toEqual({ score: 140, persona: 'wizard', summary: '' });
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('failed validation twice: score must not be greater than 100') });
    expect(outcome).toMatchObject({ reason: expect.stringMatching(/first answer: .*"persona":"wizard".*repaired answer: .*"persona":"wizard"/) });
    expect(appendAll).not.toHaveBeenCalled();
  });

  it('records a repaired answer with the first answer, its problems and both calls’ tokens', async () => {
    const { service, appendAll, answer } = setUp();
    const usage = { inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 80, cacheCreationInputTokens: 0 };
    answer.mockResolvedValueOnce({ provider: 'anthropic', model: 'claude-sonnet-5-5', input: {}, output: { score: 'high', persona: 'decision_maker', summary: 'Fits.' }, usage, latencyMs: 5 });
    answer.mockResolvedValueOnce({ provider: 'anthropic', model: 'claude-sonnet-5-5', input: { repaired: true }, output: { score: 81, persona: 'decision_maker', summary: 'Fits.' }, usage, latencyMs: 5 });
    expect(await service.handleContactCreated(trigger)).toEqual({ kind: 'done' });
    const decision = appendAll.mock.calls[0]![0][1]!.events[0]!;
    expect(decision.data).toMatchObject({
      input: { repaired: true },
      output: { score: 81 },
      usage: { inputTokens: 200, outputTokens: 40, cacheReadInputTokens: 160 },
      // Sonnet list prices: 200 × $3 + 40 × $15 + 160 × $0.30 per million tokens.
      costUsd: 0.001248,
      repairedFrom: { output: { score: 'high' }, problems: expect.arrayContaining([expect.stringContaining('score must be an integer')]) },
    });
  });

  it('retries a retriable model failure and dead-letters a permanent one', async () => {
    expect(await setUp({ answer: new AiProviderError('Anthropic 529', true, 2000) }).service.handleContactCreated(trigger)).toEqual({ kind: 'retry', reason: 'Anthropic 529', retryAfterMs: 2000 });
    expect(await setUp({ answer: new AiProviderError('truncated', false) }).service.handleContactCreated(trigger)).toEqual({ kind: 'dead-letter', reason: 'truncated' });
  });
});
