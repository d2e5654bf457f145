// Three tiers, chosen by file name (see docs/architecture.md#tests):
//   *.spec.ts      unit: no Postgres, no Kafka (loopback HTTP servers of our own are fine)
//   *.int-spec.ts  integration: the real Postgres and the real Kafka broker
//   *.e2e-spec.ts  end to end: the built services as processes
const moduleNameMapper = {
  '^@app/common(|/.*)$': '<rootDir>/libs/common/src$1',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }],
};
const roots = ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/sandbox', '<rootDir>/tools', '<rootDir>/test'];
const base = { moduleFileExtensions: ['js', 'json', 'ts'], moduleNameMapper, transform, roots, testEnvironment: 'node' };

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testRegex: '.*\\.spec\\.ts$' },
    { ...base, displayName: 'int', testRegex: '.*\\.int-spec\\.ts$', setupFilesAfterEnv: ['<rootDir>/test/support/timeouts.int.ts'] },
    { ...base, displayName: 'e2e', testRegex: '.*\\.e2e-spec\\.ts$', setupFilesAfterEnv: ['<rootDir>/test/support/timeouts.e2e.ts'] },
  ],
};
