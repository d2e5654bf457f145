import Anthropic, {
  APIConnectionTimeoutError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  OverloadedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { AnthropicDouble } from './anthropic-double';
import { failureOf } from '../test-support/api-failure.helper';

/** A model that still takes forced tool choice and does not think by default (the tool-call tests below). */
const MODEL = 'claude-haiku-4-5';
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);

const SCORE_TOOL = {
  name: 'record_lead_score',
  description: 'Record the lead score for the contact.',
  input_schema: {
    type: 'object' as const,
    additionalProperties: false,
    required: ['score', 'tier', 'reasons'],
    properties: {
      score: { type: 'integer', minimum: 0, maximum: 100 },
      tier: { type: 'string', enum: ['hot', 'warm', 'cold'] },
      reasons: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', maxLength: 60 } },
      follow_up: { type: 'string', format: 'date' },
    },
  },
};
const validateScore = ajv.compile(SCORE_TOOL.input_schema);
// Long enough to pass Haiku 4.5's 4,096-token minimum for caching.
const SYSTEM = [{ type: 'text' as const, text: 'You score B2B leads for a sales team. '.repeat(480), cache_control: { type: 'ephemeral' as const } }];
const LEAD = 'Lead: Jane Doe, CTO at Acme Corp (500 employees), requested pricing twice this week.';

describe('AnthropicDouble through @anthropic-ai/sdk', () => {
  let double: AnthropicDouble;
  let baseURL: string;
  let client: Anthropic;

  beforeEach(async () => {
    double = new AnthropicDouble();
    ({ url: baseURL } = await double.start());
    client = new Anthropic({ apiKey: 'test', baseURL, maxRetries: 0 });
  });

  afterEach(async () => {
    await double.stop();
  });

  const scoreRequest = (content = LEAD): Anthropic.MessageCreateParamsNonStreaming => ({
    model: MODEL,
    max_tokens: 1024,
    system: SYSTEM,
    tools: [SCORE_TOOL],
    tool_choice: { type: 'tool', name: SCORE_TOOL.name },
    messages: [{ role: 'user', content }],
  });

  it('answers a forced tool_choice with a tool_use block whose input validates against the schema', async () => {
    const { data, response } = await client.messages.create(scoreRequest()).withResponse();
    expect(response.headers.get('request-id')).toMatch(/^req_011C/);
    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'tool_use', stop_sequence: null });
    expect(data.id).toMatch(/^msg_01/);
    expect(data.content).toHaveLength(1);
    const block = data.content[0];
    if (block?.type !== 'tool_use') throw new Error('expected tool_use');
    expect(block.id).toMatch(/^toolu_01/);
    expect(block.name).toBe(SCORE_TOOL.name);
    expect(validateScore(block.input)).toBe(true);
    expect(data.usage).toMatchObject({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
      cache_creation_input_tokens: expect.any(Number),
      cache_read_input_tokens: 0,
    });
  });

  it('is deterministic in the request content and records what the model saw', async () => {
    const a = await client.messages.create(scoreRequest());
    const b = await client.messages.create(scoreRequest());
    const c = await client.messages.create(scoreRequest('Lead: Bob, student, downloaded one free e-book a year ago.'));
    const inputs = [a, b, c].map((m) => (m.content[0]?.type === 'tool_use' ? m.content[0].input : undefined));
    expect(inputs[0]).toEqual(inputs[1]);
    expect(inputs.every((i) => validateScore(i))).toBe(true);
    const received = double.received();
    expect(received).toHaveLength(3);
    expect(received[0]?.body).toMatchObject({ model: MODEL, system: SYSTEM, messages: [{ role: 'user', content: LEAD }] });
    expect(received[0]?.headers).toMatchObject({ authorization: 'Bearer test', 'anthropic-version': expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('reports prompt caching: creation on first use of a cached system prompt, reads afterwards', async () => {
    const first = await client.messages.create(scoreRequest());
    const second = await client.messages.create(scoreRequest('Another lead: Carla, VP Sales at Initech.'));
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(200);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    const uncached = await client.messages.create({ ...scoreRequest(), system: 'no cache_control here' });
    expect(uncached.usage.cache_read_input_tokens).toBe(0);
    expect(uncached.usage.cache_creation_input_tokens).toBe(0);
    // Below the model's minimum a breakpoint caches nothing, and nothing complains.
    const short = [{ type: 'text' as const, text: 'You score B2B leads for a sales team. '.repeat(40), cache_control: { type: 'ephemeral' as const } }];
    await client.messages.create({ ...scoreRequest(), system: short });
    const again = await client.messages.create({ ...scoreRequest(), system: short });
    expect([again.usage.cache_creation_input_tokens, again.usage.cache_read_input_tokens]).toEqual([0, 0]);
  });

  it('serves scripted content: a text block before the tool_use with tool_choice auto', async () => {
    double.enqueue({ content: [{ type: 'text', text: 'Let me score this lead.' }, { type: 'tool_use', name: SCORE_TOOL.name }] });
    const message = await client.messages.create({ ...scoreRequest(), tool_choice: { type: 'auto' } });
    expect(message.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    const toolUse = message.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(toolUse && validateScore(toolUse.input)).toBe(true);
    expect(message.stop_reason).toBe('tool_use');
    expect(double.pending()).toBe(0);
  });

  it('surfaces a scripted 529 as OverloadedError and 500 as InternalServerError', async () => {
    double.enqueue({ status: 529 }, { status: 500 });
    const overloaded = await failureOf(client.messages.create(scoreRequest()));
    expect(overloaded.error).toBeInstanceOf(OverloadedError);
    expect(overloaded.error).toBeInstanceOf(InternalServerError);
    expect((overloaded.error as OverloadedError).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const internal = await failureOf(client.messages.create(scoreRequest()));
    expect(internal.error).toBeInstanceOf(InternalServerError);
    expect(internal.status).toBe(500);
  });

  it('lets the SDK honour retry-after on a 429 when retries are on', async () => {
    const retrying = new Anthropic({ apiKey: 'test', baseURL, maxRetries: 1 });
    double.enqueue({ status: 429, headers: { 'retry-after': '0.9' } });
    const started = Date.now();
    const message = await retrying.messages.create(scoreRequest());
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    expect(message.stop_reason).toBe('tool_use');
    expect(double.received().map((r) => [r.status, r.headers['x-stainless-retry-count']])).toEqual([
      [429, '0'],
      [200, '1'],
    ]);
    double.enqueue({ status: 429, headers: { 'retry-after': '0' } });
    expect((await failureOf(client.messages.create(scoreRequest()))).error).toBeInstanceOf(RateLimitError);
  });

  it('provokes client timeouts with a scripted delay', async () => {
    const impatient = new Anthropic({ apiKey: 'test', baseURL, maxRetries: 0, timeout: 100 });
    double.enqueue({ delayMs: 800 });
    const started = Date.now();
    const failure = await failureOf(impatient.messages.create(scoreRequest()));
    expect(failure.error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('requires auth and anthropic-version like the real API', async () => {
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${baseURL}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(scoreRequest()) });
    const noKey = await post({ 'anthropic-version': '2023-06-01' });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'x-api-key header is required' },
      request_id: expect.stringMatching(/^req_/),
    });
    const noVersion = await post({ 'x-api-key': 'test' });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
    const viaHeaderKey = await post({ 'x-api-key': 'test', 'anthropic-version': '2023-06-01' });
    expect(viaHeaderKey.status).toBe(200);

    const strict = new AnthropicDouble({ apiKeys: ['right'] });
    const { url } = await strict.start();
    const wrong = new Anthropic({ apiKey: 'wrong', baseURL: url, maxRetries: 0 });
    expect((await failureOf(wrong.messages.create(scoreRequest()))).error).toBeInstanceOf(AuthenticationError);
    await strict.stop();
  });

  it('validates the body with helpful invalid_request_error messages', async () => {
    const missing = await failureOf(client.messages.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming));
    expect(missing.error).toBeInstanceOf(BadRequestError);
    expect((missing.error as BadRequestError).error).toMatchObject({ error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });

    const orphan = await failureOf(
      client.messages.create({
        model: MODEL,
        max_tokens: 100,
        tools: [SCORE_TOOL],
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_missing', content: 'x' }] }],
      }),
    );
    expect(orphan.status).toBe(400);
    expect(orphan.message).toContain('unexpected `tool_use_id` found in `tool_result` blocks: toolu_missing');

    const unknownTool = await failureOf(client.messages.create({ ...scoreRequest(), tool_choice: { type: 'tool', name: 'nope' } }));
    expect(unknownTool.status).toBe(400);
    expect(double.received().map((r) => r.status)).toEqual([400, 400, 400]);
  });

  it('answers plain text without tools and marks truncation with max_tokens', async () => {
    const text = await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: 'Say something' }] });
    expect(text.stop_reason).toBe('end_turn');
    expect(text.content[0]).toMatchObject({ type: 'text', text: expect.any(String) });
    const cut = await client.messages.create({ ...scoreRequest(), max_tokens: 5 });
    expect(cut.stop_reason).toBe('max_tokens');
  });

  it('streams server-sent events the SDK assembles into the same message', async () => {
    const message = await client.messages.stream(scoreRequest()).finalMessage();
    const block = message.content[0];
    expect(block?.type).toBe('tool_use');
    expect(block?.type === 'tool_use' && validateScore(block.input)).toBe(true);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('counts tokens', async () => {
    const counted = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(400) }] });
    expect(counted.input_tokens).toBeGreaterThanOrEqual(100);
  });

  it('can be driven over /__double from another process', async () => {
    const enqueue = await fetch(`${baseURL}/__double/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ status: 529 }]) });
    expect(await enqueue.json()).toEqual({ pending: 1 });
    expect((await failureOf(client.messages.create(scoreRequest()))).error).toBeInstanceOf(OverloadedError);
    const received = (await (await fetch(`${baseURL}/__double/received`)).json()) as { results: Array<{ status: number; body: { model: string } }> };
    expect(received.results.map((r) => [r.status, r.body.model])).toEqual([[529, MODEL]]);
    await fetch(`${baseURL}/__double/reset`, { method: 'POST' });
    expect(double.received()).toEqual([]);
  });

  describe('the current models’ rules', () => {
    const LEAD_SCHEMA = {
      type: 'object',
      additionalProperties: false,
      required: ['score', 'tier'],
      properties: { score: { type: 'integer', description: '0-100' }, tier: { type: 'string', enum: ['hot', 'warm', 'cold'] }, note: { type: 'string' } },
    };
    const structured = (model: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}): Anthropic.MessageCreateParamsNonStreaming => ({
      model,
      max_tokens: 4000,
      messages: [{ role: 'user', content: LEAD }],
      output_config: { format: { type: 'json_schema', schema: LEAD_SCHEMA }, effort: 'low' },
      ...extra,
    });
    const refusal = async (request: Promise<unknown>) => {
      const failure = await failureOf(request);
      return { status: failure.status, body: (failure.error as { error?: unknown }).error };
    };

    it('refuses forced tool choice on Claude Sonnet 5.5 and Opus 5.5 exactly as the API does, on messages and count_tokens', async () => {
      const forced = { ...scoreRequest(), model: 'claude-sonnet-5-5' };
      expect(await refusal(client.messages.create(forced))).toEqual({
        status: 400,
        body: { type: 'error', error: { type: 'invalid_request_error', message: 'tool_choice: type "tool" and "any" are not supported for this model.' }, request_id: expect.stringMatching(/^req_011C/) },
      });
      expect((await refusal(client.messages.create({ ...forced, model: 'claude-opus-5-5', tool_choice: { type: 'any' } }))).status).toBe(400);
      const { max_tokens: _omit, ...countable } = forced;
      expect((await refusal(client.messages.countTokens(countable))).status).toBe(400);
      // Haiku 5.5 keeps forced tool choice; auto is accepted everywhere.
      expect((await client.messages.create({ ...forced, model: 'claude-haiku-5-5', max_tokens: 4000 })).content.some((b) => b.type === 'tool_use')).toBe(true);
      expect((await client.messages.create({ ...forced, max_tokens: 4000, tool_choice: { type: 'auto' } })).stop_reason).toBe('tool_use');
    });

    it('refuses sampling parameters: any value under the SDK’s API version 2026-10-21, non-default values on 5.5 models under 2023-06-01', async () => {
      const withTemperature = { ...structured('claude-haiku-4-5'), output_config: { format: { type: 'json_schema' as const, schema: LEAD_SCHEMA } }, temperature: 0.2 };
      expect(await refusal(client.messages.create(withTemperature))).toMatchObject({ status: 400, body: { error: { message: 'temperature: Extra inputs are not permitted' } } });
      const old = new Anthropic({ apiKey: 'test', baseURL, maxRetries: 0, defaultHeaders: { 'anthropic-version': '2023-06-01' } });
      expect((await old.messages.create(withTemperature)).stop_reason).toBe('end_turn');
      expect(await refusal(old.messages.create({ ...withTemperature, model: 'claude-sonnet-5-5' }))).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('temperature') } } });
    });

    it('refuses thinking budgets, turning thinking off and prefill on Claude Sonnet 5.5, with the documented messages', async () => {
      expect(await refusal(client.messages.create(structured('claude-sonnet-5-5', { thinking: { type: 'disabled' } })))).toMatchObject({
        status: 400,
        body: { error: { message: '"thinking.type.disabled" is not supported for this model. Use "thinking.type.between_tools" for the lowest thinking setting, or "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.' } },
      });
      expect(await refusal(client.messages.create(structured('claude-sonnet-5-5', { thinking: { type: 'enabled', budget_tokens: 2048 } })))).toMatchObject({
        status: 400,
        body: { error: { message: '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.' } },
      });
      const prefill = { ...scoreRequest(), model: 'claude-sonnet-5-5', tool_choice: { type: 'auto' as const }, messages: [{ role: 'user' as const, content: LEAD }, { role: 'assistant' as const, content: '{"score":' }] };
      expect(await refusal(client.messages.create(prefill))).toMatchObject({
        status: 400,
        body: { error: { message: 'This model does not support assistant message prefill. The conversation must end with a user message.' } },
      });
      // (With an explicit timeout the SDK sends a non-streaming request this large.)
      const patient = new Anthropic({ apiKey: 'test', baseURL, maxRetries: 0, timeout: 60_000 });
      expect(await refusal(patient.messages.create({ ...structured('claude-sonnet-5-5'), max_tokens: 200_000 }))).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('max_tokens: 200000 > 128000') } } });
    });

    it('refuses a structured-output schema beyond the supported subset, and effort on a model without it', async () => {
      const bounded = { ...LEAD_SCHEMA, properties: { ...LEAD_SCHEMA.properties, score: { type: 'integer', minimum: 0, maximum: 100 } } };
      expect(await refusal(client.messages.create(structured('claude-sonnet-5-5', { output_config: { format: { type: 'json_schema', schema: bounded } } })))).toMatchObject({
        status: 400,
        body: { error: { message: "output_config.format.schema: schema.properties.score: 'minimum' is not supported in structured output schemas" } },
      });
      const open = { ...LEAD_SCHEMA, additionalProperties: true };
      expect((await refusal(client.messages.create(structured('claude-sonnet-5-5', { output_config: { format: { type: 'json_schema', schema: open } } })))).status).toBe(400);
      expect(await refusal(client.messages.create(structured('claude-haiku-4-5')))).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('output_config.effort') } } });
    });

    it('answers a thinking model with its thinking first and the structured output as schema-valid JSON text, thinking billed as output', async () => {
      const message = await client.messages.create(structured('claude-sonnet-5-5', { thinking: { type: 'adaptive', display: 'summarized' } }));
      expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text']);
      const [thinking, text] = message.content;
      expect(thinking).toMatchObject({ type: 'thinking', thinking: expect.stringMatching(/^Weighing /), signature: expect.any(String) });
      const answer = JSON.parse((text as Anthropic.TextBlock).text) as unknown;
      expect(ajv.validate(LEAD_SCHEMA, answer)).toBe(true);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage.output_tokens_details?.thinking_tokens).toBe(120);
      expect(message.usage.output_tokens).toBeGreaterThan(120);
      // By default a 5.5 model's thinking comes back empty, with its signature.
      const omitted = await client.messages.create(structured('claude-sonnet-5-5'));
      expect(omitted.content[0]).toMatchObject({ type: 'thinking', thinking: '' });
    });

    it('runs out of room while thinking when max_tokens leaves none for the answer', async () => {
      const cut = await client.messages.create({ ...structured('claude-sonnet-5-5'), max_tokens: 100 });
      expect(cut.stop_reason).toBe('max_tokens');
      expect(cut.content.map((b) => b.type)).toEqual(['thinking']);
      expect(cut.usage.output_tokens).toBe(100);
    });

    it('takes a previous reply back unchanged, and refuses one whose thinking was altered', async () => {
      const first = await client.messages.create(structured('claude-sonnet-5-5', { thinking: { type: 'adaptive', display: 'summarized' } }));
      const followUp = (content: Anthropic.ContentBlockParam[]) =>
        client.messages.create(structured('claude-sonnet-5-5', { messages: [{ role: 'user', content: LEAD }, { role: 'assistant', content }, { role: 'user', content: 'Again, please.' }] }));
      expect((await followUp(first.content as Anthropic.ContentBlockParam[])).stop_reason).toBe('end_turn');
      const altered = first.content.map((b) => (b.type === 'thinking' ? { ...b, thinking: 'something else' } : b)) as Anthropic.ContentBlockParam[];
      expect(await refusal(followUp(altered))).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('Invalid `signature` in `thinking` block') } } });
      // Dropping the thinking and keeping the answer is modifying the latest assistant turn too.
      const dropped = first.content.filter((b) => b.type !== 'thinking') as Anthropic.ContentBlockParam[];
      expect(await refusal(followUp(dropped))).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('cannot be modified') } } });
    });

    it('answers 404 not_found_error for a retired or unknown model', async () => {
      for (const model of ['claude-sonnet-4-20250514', 'claude-3-5-haiku-20241022', 'claude-nonexistent']) {
        expect(await refusal(client.messages.create(structured(model)))).toMatchObject({ status: 404, body: { error: { type: 'not_found_error', message: `model: ${model}` } } });
      }
    });

    it('sends the anthropic-ratelimit-* headers on every answer', async () => {
      const { response } = await client.messages.create(structured('claude-haiku-5-5')).withResponse();
      for (const kind of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
        expect(Number(response.headers.get(`anthropic-ratelimit-${kind}-limit`))).toBeGreaterThan(0);
        expect(response.headers.get(`anthropic-ratelimit-${kind}-remaining`)).toMatch(/^\d+$/);
        expect(response.headers.get(`anthropic-ratelimit-${kind}-reset`)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
    });

    it('lists the models it serves (GET /v1/models), newest first, without retired ones', async () => {
      const ids: string[] = [];
      for await (const model of client.models.list()) ids.push(model.id);
      expect(ids.slice(0, 3)).toEqual(['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5']);
      expect(ids).not.toContain('claude-sonnet-4-5');
      expect((await client.models.retrieve('claude-haiku-4-5-20251001')).id).toBe('claude-haiku-4-5');
      const opus = await client.models.retrieve('claude-opus-4-5');
      expect(opus).toMatchObject({ lifecycle: 'deprecated', retires_at: '2027-01-22T00:00:00Z', capabilities: { effort: { supported: true, low: { supported: true }, max: { supported: false } }, thinking: { types: { adaptive: { supported: false }, enabled: { supported: true } } } } });
      expect((await failureOf(client.models.retrieve('claude-sonnet-4-5'))).status).toBe(404);
    });
  });
});
