import { ConfigError, configProblemsByService, loadConfig } from './load-config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const base = { HUBSPOT_CLIENT_SECRET: 'client-secret-1', ADMIN_API_KEY: 'admin-key-0123456789', TOKEN_ENCRYPTION_KEY: KEY };
const production = { ...base, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://hooks.example.com' };

function problemsOf(env: NodeJS.ProcessEnv, service: Parameters<typeof loadConfig>[1]): string[] {
  try {
    loadConfig(env, service);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('AI_PROVIDER', () => {
  it.each<[string, NodeJS.ProcessEnv, 'anthropic' | 'offline']>([
    ['unset, no key, outside production: offline', {}, 'offline'],
    ['unset, a key: anthropic', { ANTHROPIC_API_KEY: 'sk-ant-x' }, 'anthropic'],
    ['unset, a key, in production: anthropic', { ...production, ANTHROPIC_API_KEY: 'sk-ant-x' }, 'anthropic'],
    ['offline even with a key', { ANTHROPIC_API_KEY: 'sk-ant-x', AI_PROVIDER: 'offline' }, 'offline'],
    ['offline on purpose in production', { ...production, AI_PROVIDER: 'offline' }, 'offline'],
    ['anthropic with a key', { ANTHROPIC_API_KEY: 'sk-ant-x', AI_PROVIDER: 'anthropic' }, 'anthropic'],
    ['empty counts as unset', { ANTHROPIC_API_KEY: 'sk-ant-x', AI_PROVIDER: ' ' }, 'anthropic'],
    ['case and spaces do not matter', { AI_PROVIDER: ' Offline ' }, 'offline'],
  ])('%s', (_why, env, expected) => {
    expect(loadConfig({ ...base, ...env }, 'enricher').aiProvider).toBe(expected);
  });

  it('refuses production without a key unless AI_PROVIDER=offline, saying how to choose offline', () => {
    const problems = problemsOf(production, 'enricher');
    expect(problems).toEqual([expect.stringMatching(/^ANTHROPIC_API_KEY is required by enricher in production .*AI_PROVIDER=offline/)]);
  });

  it('refuses AI_PROVIDER=anthropic without a key, in production or not', () => {
    for (const env of [base, production]) {
      expect(problemsOf({ ...env, AI_PROVIDER: 'anthropic' }, 'enricher')).toEqual(['ANTHROPIC_API_KEY is required by enricher when AI_PROVIDER=anthropic']);
    }
  });

  it('refuses an unknown provider once, naming the choices', () => {
    expect(problemsOf({ ...production, AI_PROVIDER: 'claude' }, 'enricher')).toEqual(['AI_PROVIDER must be anthropic or offline, got "claude"']);
  });

  it('refuses only the enricher: the other services never ask the provider', () => {
    for (const service of ['ingest', 'writer', 'scheduler', 'tools'] as const) {
      expect(problemsOf({ ...production, AI_PROVIDER: 'anthropic' }, service)).toEqual([]);
      expect(problemsOf(production, service)).toEqual([]);
    }
  });

  it('lists its problem with every other one (one error, exit 78)', () => {
    const problems = problemsOf({ NODE_ENV: 'production', LOG_LEVEL: 'loud' }, 'enricher');
    expect(problems.some((p) => p.startsWith('ANTHROPIC_API_KEY is required by enricher in production'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL'))).toBe(true);
    expect(problems.some((p) => p.startsWith('TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS'))).toBe(true);
  });
});

describe('production (NODE_ENV=production)', () => {
  it('requires PUBLIC_BASE_URL of ingest: the localhost default fails every v3 signature', () => {
    const { PUBLIC_BASE_URL: _url, ...withoutUrl } = production;
    expect(problemsOf(withoutUrl, 'ingest')).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL is required by ingest in production/)]);
    expect(problemsOf({ ...withoutUrl, PUBLIC_BASE_URL: '' }, 'ingest')).toHaveLength(1);
    expect(problemsOf(production, 'ingest')).toEqual([]);
  });

  it('is NODE_ENV=production exactly; anything else keeps the development defaults', () => {
    for (const nodeEnv of ['development', 'test', 'Production ', 'prod']) {
      expect(problemsOf({ ...base, NODE_ENV: nodeEnv }, 'ingest')).toEqual([]);
      expect(problemsOf({ ...base, NODE_ENV: nodeEnv }, 'enricher')).toEqual([]);
    }
    expect(loadConfig(base, 'ingest').nodeEnv).toBe('development');
  });
});

describe('configProblemsByService (config:check)', () => {
  it('names each refusing service with all of its problems, and only those', () => {
    const { ADMIN_API_KEY: _admin, ...env } = production;
    expect(configProblemsByService(env, ['ingest', 'enricher', 'writer', 'scheduler'])).toEqual([
      { service: 'ingest', problems: [expect.stringMatching(/^ADMIN_API_KEY is required by ingest/)] },
      { service: 'enricher', problems: [expect.stringMatching(/^ANTHROPIC_API_KEY is required by enricher in production/)] },
    ]);
    expect(configProblemsByService({ ...production, AI_PROVIDER: 'offline' }, ['ingest', 'enricher', 'writer', 'scheduler', 'tools'])).toEqual([]);
  });
});
