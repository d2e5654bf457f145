import { BadRequestError } from '@anthropic-ai/sdk';
import { AnthropicDouble } from '../../../../sandbox/anthropic';
import { checkAnswer } from '../capabilities/answer-schema';
import { LEAD_ASSESSMENT } from '../capabilities/lead-ai/lead-assessment.answer';
import { LEAD_SCORING_PROMPT } from '../capabilities/lead-ai/lead-scoring.prompt';
import { renderPrompt, type PromptDefinition } from '../prompts/prompt';
import { allPromptVersions, capabilityForPrompt } from '../capabilities/capability-registry';
import { AiProviderError, UnusableAnswerError } from './ai-provider';
import { AnthropicProvider, buildMessagesRequest, createAnthropicClient, maxTokensFor, settingNamed, timeoutFor } from './anthropic.provider';
import { DEFAULT_MODELS, modelSpec } from './model-catalogue';

const facts = { jobtitle: 'CEO', company: 'Acme', subject: 'Invoice charged twice', content: 'We were billed twice this month.' };
const render = (prompt: PromptDefinition) => renderPrompt(prompt, { objectType: 'contacts', objectId: '42', facts });

/** The Claude path through the real SDK against the Messages API double, which refuses what the API refuses. */
describe('AnthropicProvider against the Anthropic double', () => {
  const double = new AnthropicDouble();
  let baseURL: string;
  const prompt = render(LEAD_SCORING_PROMPT);
  const provider = (options: { maxRetries?: number; timeoutMs?: number; defaultModel?: string } = {}) =>
    new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL, defaultModel: options.defaultModel ?? DEFAULT_MODELS.quality, maxRetries: options.maxRetries ?? 0, timeoutMs: options.timeoutMs });

  beforeAll(async () => {
    baseURL = (await double.start()).url;
  });
  beforeEach(() => double.reset());
  afterAll(() => double.stop());

  it('asks for a structured output with the version’s model and effort, room to think, and no setting the current models refuse', async () => {
    const answer = await provider().answer(prompt);
    const [received] = double.received();
    const body = received!.body as Record<string, unknown>;
    expect(body).toEqual(answer.input);
    expect(body).toMatchObject({
      model: 'claude-sonnet-5-5',
      max_tokens: 2048 + 6144,
      thinking: { type: 'adaptive', display: 'summarized' },
      output_config: { effort: 'medium', format: { type: 'json_schema', schema: { type: 'object', additionalProperties: false, required: ['score', 'persona', 'summary'] } } },
      messages: [{ role: 'user', content: expect.stringContaining('"jobtitle": "CEO"') }],
    });
    for (const refused of ['tools', 'tool_choice', 'temperature', 'top_p', 'top_k']) expect(body).not.toHaveProperty(refused);
    // The score's bounds travel in its description: structured outputs do not hold numeric bounds.
    expect(JSON.stringify(body.output_config)).toContain('minimum: 0, maximum: 100');
    expect(answer).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-5-5', output: { score: expect.any(Number), persona: expect.any(String), summary: expect.any(String) } });
    expect(checkAnswer(LEAD_ASSESSMENT, answer.output)).toMatchObject({ ok: true });
  });

  it('keeps the thinking out of the answer, as reasoning with its tokens (billed as output)', async () => {
    const answer = await provider().answer(prompt);
    expect(answer.reasoning).toEqual({ thinkingTokens: 480, summaries: [expect.stringMatching(/^Weighing /)], redactedBlocks: 0 });
    expect(answer.usage.thinkingTokens).toBe(480);
    expect(answer.usage.outputTokens).toBeGreaterThan(480);
    expect(JSON.stringify(answer.output)).not.toContain('Weighing');
  });

  describe('every prompt version of every capability passes the double’s rules for each default model', () => {
    const models = [...new Set([...Object.values(DEFAULT_MODELS), ...allPromptVersions().flatMap((p) => (p.model ? [p.model] : []))])];
    const cases = allPromptVersions().flatMap((p) => models.map((model) => [`${p.id}@${p.version}`, model, p] as const));
    it.each(cases)('%s on %s', async (_name, model, version) => {
      const answer = await provider({ defaultModel: model }).answer({ ...render(version), model: version.model ? model : null });
      expect(double.received().map((r) => r.status)).toEqual([200]);
      expect(answer.model).toBe(model);
      expect(checkAnswer(capabilityForPrompt(version.id)!.answer, answer.output)).toMatchObject({ ok: true });
    });
  });

  it('is refused, as Anthropic refuses it, when it asks the way it used to (a forced tool call): a configuration error naming the setting', async () => {
    const client = createAnthropicClient({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });
    const old = { model: 'claude-sonnet-5-5', max_tokens: 1024, tools: [{ name: 'record_lead_assessment', input_schema: { type: 'object' as const } }], tool_choice: { type: 'tool' as const, name: 'record_lead_assessment' }, messages: [{ role: 'user' as const, content: 'x' }] };
    const error = await client.messages.create(old).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'tool_choice: type "tool" and "any" are not supported for this model.' } });
    double.enqueue({ status: 400, body: (error as BadRequestError).error });
    const refused = await provider().answer(prompt).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AiProviderError);
    expect(refused).toMatchObject({ category: 'request-rejected', retriable: false, isConfiguration: true, details: { status: 400, code: 'invalid_request_error', setting: 'tool_choice', model: 'claude-sonnet-5-5' } });
  });

  it('classifies an unknown or retired model as a configuration error', async () => {
    const refused = await provider({ defaultModel: 'claude-sonnet-4-20250514' }).answer({ ...prompt, model: null }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ category: 'model-not-found', retriable: false, isConfiguration: true, details: { status: 404, code: 'not_found_error' } });
  });

  it('reads an answer that comes as a tool call, and one whose text is JSON, either way', async () => {
    double.enqueue({ content: [{ type: 'text', text: 'Scoring now.' }, { type: 'tool_use', name: 'record_lead_assessment', input: { score: 70, persona: 'decision_maker', summary: 'Fits.' } }] });
    expect(await provider().answer(prompt)).toMatchObject({ output: { score: 70 }, toolUseId: expect.stringMatching(/^toolu_/) });
    double.enqueue({ content: [{ type: 'thinking', thinking: '' }, { type: 'text', text: '{"score": 55, "persona": "unknown", "summary": "Thin."}' }] });
    expect((await provider().answer(prompt)).output).toEqual({ score: 55, persona: 'unknown', summary: 'Thin.' });
    // Text that is not JSON is handed on as it is: validation refuses it and the repair quotes it.
    double.enqueue({ content: [{ type: 'text', text: 'I think 55.' }] });
    expect((await provider().answer(prompt)).output).toBe('I think 55.');
  });

  it('reports a reply that ran out of room while thinking, and asks with twice the room when told to', async () => {
    double.enqueue({ content: [{ type: 'thinking', thinking: 'long thoughts' }], stop_reason: 'max_tokens' });
    const cut = await provider().answer(prompt).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(UnusableAnswerError);
    expect(cut).toMatchObject({ reason: 'no-room', message: expect.stringContaining('while thinking, before any answer') });
    await provider().answer(prompt, {}, { moreRoom: true });
    expect((double.received()[1]!.body as { max_tokens: number }).max_tokens).toBe(2 * (2048 + 6144));
    // At the ceiling there is no more room to give: the reply is no answer, not a reason to pay again.
    double.enqueue({ content: [{ type: 'thinking', thinking: 'long thoughts' }], stop_reason: 'max_tokens' });
    const atCeiling = await provider().answer({ ...prompt, effort: 'max' }, {}, { moreRoom: true }).catch((e: unknown) => e);
    expect(atCeiling).toMatchObject({ reason: 'no-answer', message: expect.stringContaining('the most this platform asks for') });
  });

  it('reports a refusal and a reply without an answer as unusable, with the reply', async () => {
    double.enqueue({ content: [{ type: 'text', text: 'I cannot help with that.' }], stop_reason: 'refusal' });
    await expect(provider().answer(prompt)).rejects.toMatchObject({ reason: 'refused', answer: { raw: [{ type: 'text', text: 'I cannot help with that.' }] } });
    // Only thinking, no answer: worth one more try with more room (the decision maker makes it).
    double.enqueue({ content: [{ type: 'thinking', thinking: 'hmm' }], stop_reason: 'end_turn' });
    await expect(provider().answer(prompt)).rejects.toMatchObject({ reason: 'no-room', message: expect.stringContaining('only 1 thinking') });
    double.enqueue({ content: [], stop_reason: 'end_turn' });
    await expect(provider().answer(prompt)).rejects.toMatchObject({ reason: 'no-answer', message: expect.stringContaining('no blocks') });
  });

  it('asks for a repair with the previous reply exactly as it came (thinking included) and the problems, which the double accepts', async () => {
    const first = await provider().answer(prompt);
    const repaired = await provider().answer(prompt, {}, { repair: { previous: first, problems: ['score must not be greater than 100'] } });
    expect(double.received().map((r) => r.status)).toEqual([200, 200]);
    const sent = double.received()[1]!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(sent.messages).toEqual([
      { role: 'user', content: prompt.user },
      { role: 'assistant', content: first.raw },
      { role: 'user', content: expect.stringContaining('score must not be greater than 100') },
    ]);
    expect(repaired.output).toEqual(expect.objectContaining({ score: expect.any(Number) }));
  });

  it('reports 529 overloaded as retriable (and succeeds when the SDK retries), a timeout too', async () => {
    const overloaded = { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, headers: { 'retry-after': '0' } };
    double.enqueue(overloaded);
    await expect(provider().answer(prompt)).rejects.toMatchObject({ category: 'overloaded', retriable: true, details: { code: 'overloaded_error' } });
    double.enqueue(overloaded);
    await expect(provider({ maxRetries: 1 }).answer(prompt)).resolves.toMatchObject({ provider: 'anthropic' });
    double.enqueue({ delayMs: 1_500 });
    await expect(provider({ timeoutMs: 300 }).answer(prompt)).rejects.toMatchObject({ category: 'timeout', retriable: true });
  });

  it('marks the static system text for caching only where it is long enough to be cached, and then the cache is read', async () => {
    // Today's prompts are far below the 512-token minimum: no mark, and the double reports no cache use.
    const answer = await provider().answer(prompt);
    expect((answer.input as { system: unknown[] }).system).toEqual([{ type: 'text', text: prompt.system }]);
    expect(answer.usage).toMatchObject({ cacheCreationInputTokens: 0, cacheReadInputTokens: 0 });
    const long = { ...prompt, system: `${prompt.system} ${'Scoring guidance that stays the same for every lead. '.repeat(60)}` };
    const first = await provider().answer(long);
    const second = await provider().answer({ ...long, user: `${long.user}\nAnother lead.` });
    expect((first.input as { system: Array<Record<string, unknown>> }).system[0]).toMatchObject({ cache_control: { type: 'ephemeral' } });
    expect(first.usage.cacheCreationInputTokens).toBeGreaterThan(512);
    expect(second.usage.cacheReadInputTokens).toBe(first.usage.cacheCreationInputTokens);
  });
});

describe('the request builder', () => {
  it('leaves room to think by effort, within the model’s output limit and the SDK’s non-streaming limit', () => {
    expect(maxTokensFor({ maxTokens: 2048, effort: 'low' }, modelSpec('claude-haiku-5-5'))).toBe(2048 + 2048);
    expect(maxTokensFor({ maxTokens: 2048 }, modelSpec('claude-sonnet-5-5'))).toBe(2048 + 12288);
    expect(maxTokensFor({ maxTokens: 2048, effort: 'max' }, modelSpec('claude-sonnet-5-5'), true)).toBe(21_000);
    // A model that does not think by default gets the answer's room only.
    expect(maxTokensFor({ maxTokens: 1024 }, modelSpec('claude-haiku-4-5'))).toBe(1024);
  });

  it('gives a request the time its room needs (the SDK\'s own estimate), at least a minute', () => {
    expect(timeoutFor(2048 + 6144)).toBe(Math.ceil((3_600_000 * 8192) / 128_000));
    expect(timeoutFor(1000)).toBe(60_000);
  });

  it('sends no effort and no thinking to a model without them', () => {
    const request = buildMessagesRequest({ ...renderPrompt(LEAD_SCORING_PROMPT, { objectType: 'contacts', objectId: '1', facts: {} }), model: null }, 'claude-haiku-4-5');
    expect(request).not.toHaveProperty('thinking');
    expect(request.output_config).not.toHaveProperty('effort');
  });

  it('names the setting a 400 is about, for the operator', () => {
    expect(settingNamed('tool_choice: type "tool" and "any" are not supported for this model.')).toBe('tool_choice');
    expect(settingNamed('"thinking.type.disabled" is not supported for this model. Use …')).toBe('thinking.type.disabled');
    expect(settingNamed('temperature: Extra inputs are not permitted')).toBe('temperature');
    expect(settingNamed('This model does not support assistant message prefill. The conversation must end with a user message.')).toBe('assistant prefill');
    expect(settingNamed('Something else')).toBeNull();
  });
});
