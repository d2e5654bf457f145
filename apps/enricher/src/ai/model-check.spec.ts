import { AnthropicDouble } from '../../../../sandbox/anthropic';
import { memoryLogger } from '../../../../test/support/logger';
import type { AppConfig } from '@app/common';
import { allPromptVersions } from '../capabilities/capability-registry';
import { ModelCheck, modelWarnings } from './model-check';

const PROMPT_MODELS_IN_USE = allPromptVersions().flatMap((p) => (p.model ? [p.model] : []));

describe('the boot-time model check', () => {
  it('warns of a model the API does not list, a deprecated one, and one the platform has no table entry for', () => {
    const listed = [
      { id: 'claude-sonnet-5-5', lifecycle: 'active' as const, retires_at: null },
      { id: 'claude-opus-4-5', lifecycle: 'deprecated' as const, retires_at: '2027-01-22T00:00:00Z' },
      { id: 'claude-fable-5-2', lifecycle: 'active' as const, retires_at: null },
    ];
    expect(modelWarnings(['claude-sonnet-5-5', 'claude-sonnet-5-5'], listed)).toEqual([]);
    expect(modelWarnings(['claude-sonnet-4-5', 'claude-opus-4-5-20251101', 'claude-fable-5-2'], listed).map((w) => [w.model, w.problem])).toEqual([
      ['claude-sonnet-4-5', 'unknown-to-the-api'],
      ['claude-sonnet-4-5', 'not-in-catalogue'],
      ['claude-opus-4-5-20251101', 'deprecated'],
      ['claude-fable-5-2', 'not-in-catalogue'],
    ]);
    expect(modelWarnings(['claude-opus-4-5'], listed)[0]!.message).toContain('retiring 2027-01-22');
  });

  it('lists the API’s models at boot when a key is set, and logs a warning per problem', async () => {
    const double = new AnthropicDouble();
    const { url } = await double.start();
    try {
      const { logger, lines } = memoryLogger();
      const config = { anthropicApiKey: 'sk-ant-test', anthropicBaseUrl: url, anthropicModel: 'claude-sonnet-4-20250514' } as AppConfig;
      await new ModelCheck(config, logger, PROMPT_MODELS_IN_USE).onApplicationBootstrap();
      expect(double.received().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
      const warnings = lines.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn');
      expect(warnings.map((w) => w.msg)).toEqual([expect.stringContaining('does not list claude-sonnet-4-20250514'), expect.stringContaining('not in the platform')]);
      // The defaults of every prompt version are current, listed models: no warning for them.
      expect(warnings.some((w) => /sonnet-5-5|haiku-5-5/.test(w.msg))).toBe(false);
    } finally {
      await double.stop();
    }
  });

  it('does nothing without a key, and only warns when the API cannot be reached', async () => {
    const { logger, lines } = memoryLogger();
    await new ModelCheck({ anthropicModel: 'claude-sonnet-5-5' } as AppConfig, logger, PROMPT_MODELS_IN_USE).onApplicationBootstrap();
    expect(lines).toEqual([]);
    await new ModelCheck({ anthropicApiKey: 'k', anthropicBaseUrl: 'http://127.0.0.1:9', anthropicModel: 'claude-sonnet-5-5' } as AppConfig, logger, PROMPT_MODELS_IN_USE).onApplicationBootstrap();
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([expect.stringContaining('could not list')]);
  });
});
