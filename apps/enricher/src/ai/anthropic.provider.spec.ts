import Ajv from 'ajv';
import { AnthropicDouble } from '../../../../sandbox/anthropic';
import { LEAD_SCORING_PROMPT } from '../prompts/lead-scoring.prompt';
import { renderPrompt } from '../prompts/prompt';
import { AiProviderError, UnusableAnswerError } from './ai-provider';
import { AnthropicProvider } from './anthropic.provider';

/** The Claude path through the real SDK against the Messages API double. */
describe('AnthropicProvider against the Anthropic double', () => {
  const double = new AnthropicDouble();
  let baseURL: string;
  const prompt = renderPrompt(LEAD_SCORING_PROMPT, { objectType: 'contacts', objectId: '42', facts: { jobtitle: 'CEO', company: 'Acme' } });
  const provider = (options: { maxRetries?: number; timeoutMs?: number } = {}) =>
    new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL, defaultModel: 'claude-sonnet-5-5', maxRetries: options.maxRetries ?? 0, timeoutMs: options.timeoutMs });

  beforeAll(async () => {
    baseURL = (await double.start()).url;
  });
  beforeEach(() => double.reset());
  afterAll(() => double.stop());

  it('forces the prompt tool, caches the system prompt, and returns a schema-valid answer with usage', async () => {
    const answer = await provider().answer(prompt);
    expect(new Ajv({ strict: false }).validate(LEAD_SCORING_PROMPT.tool.inputSchema, answer.output)).toBe(true);
    expect(answer).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-5-5', usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) } });
    const [received] = double.received();
    expect(received!.body).toEqual(answer.input);
    expect(received!.body).toMatchObject({
      tool_choice: { type: 'tool', name: 'record_lead_assessment' },
      system: [{ type: 'text', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: expect.stringContaining('"jobtitle": "CEO"') }],
    });
  });

  it('finds the tool call after a text block instead of reading content[0]', async () => {
    double.enqueue({ content: [{ type: 'text', text: 'Let me record that.' }, { type: 'tool_use', name: 'record_lead_assessment', input: { score: 70, persona: 'decision_maker', summary: 'Fits.' } }] });
    expect((await provider().answer(prompt)).output).toEqual({ score: 70, persona: 'decision_maker', summary: 'Fits.' });
  });

  it('asks for a repair by answering the bad tool call with an error tool_result the API accepts', async () => {
    double.enqueue({ content: [{ type: 'tool_use', name: 'record_lead_assessment', input: { score: 140, persona: 'decision_maker', summary: 'Fits.' } }] });
    double.enqueue({ content: [{ type: 'tool_use', name: 'record_lead_assessment', input: { score: 90, persona: 'decision_maker', summary: 'Fits.' } }] });
    const first = await provider().answer(prompt);
    const repaired = await provider().answer(prompt, {}, { previous: first, problems: ['score must not be greater than 100'] });
    expect(repaired.output).toMatchObject({ score: 90 });
    const sent = double.received()[1]!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(sent.messages).toEqual([
      { role: 'user', content: prompt.user },
      { role: 'assistant', content: [{ type: 'tool_use', id: first.toolUseId, name: 'record_lead_assessment', input: first.output }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: first.toolUseId, is_error: true, content: expect.stringContaining('score must not be greater than 100') }] },
    ]);
  });

  it('reports a retriable error for 529 overloaded, and succeeds when the SDK retries', async () => {
    const overloaded = { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, headers: { 'retry-after': '0' } };
    double.enqueue(overloaded);
    await expect(provider().answer(prompt)).rejects.toMatchObject({ retriable: true, message: expect.stringContaining('529') });
    double.enqueue(overloaded);
    await expect(provider({ maxRetries: 1 }).answer(prompt)).resolves.toMatchObject({ provider: 'anthropic' });
  });

  it('reports a timeout as retriable', async () => {
    double.enqueue({ delayMs: 1_500 });
    const error = await provider({ timeoutMs: 300 }).answer(prompt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiProviderError);
    expect(error).toMatchObject({ retriable: true });
  });

  it('refuses a truncated answer (max_tokens) and an answer without the tool call, as not retriable, with the whole reply and its tokens', async () => {
    double.enqueue({ content: [{ type: 'text', text: 'partial' }], stop_reason: 'max_tokens' });
    const truncated = await provider().answer(prompt).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(UnusableAnswerError);
    expect(truncated).toMatchObject({ retriable: false, message: expect.stringContaining('ran out of tokens'), answer: { raw: [{ type: 'text', text: 'partial' }], usage: { inputTokens: expect.any(Number) } } });
    expect((truncated as UnusableAnswerError).answer.usage.outputTokens).toBeGreaterThan(0);
    double.enqueue({ content: [{ type: 'text', text: 'I would rather chat.' }], stop_reason: 'end_turn' });
    await expect(provider().answer(prompt)).rejects.toMatchObject({ retriable: false, message: expect.stringContaining('did not call record_lead_assessment'), answer: { raw: [{ type: 'text', text: 'I would rather chat.' }] } });
  });

  it('keeps the whole reply, a text block before the tool call included', async () => {
    double.enqueue({ content: [{ type: 'text', text: 'Scoring now.' }, { type: 'tool_use', name: 'record_lead_assessment', input: { score: 50, persona: 'unknown', summary: 'x' } }] });
    const answer = await provider().answer(prompt);
    expect(answer.output).toEqual({ score: 50, persona: 'unknown', summary: 'x' });
    expect(answer.raw).toEqual([expect.objectContaining({ type: 'text', text: 'Scoring now.' }), expect.objectContaining({ type: 'tool_use', input: { score: 50, persona: 'unknown', summary: 'x' } })]);
  });

  it('reports a 400 from the API as not retriable', async () => {
    double.enqueue({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } } });
    await expect(provider().answer(prompt)).rejects.toMatchObject({ retriable: false });
  });
});
