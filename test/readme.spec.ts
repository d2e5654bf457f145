import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_SPEC } from '@app/common';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README stays true', () => {
  it('documents every configuration variable the platform reads', () => {
    for (const spec of ENV_SPEC) expect(readme).toContain(`| \`${spec.env}\` |`);
  });

  it('gives the test command that .ci/run runs, and nothing else', () => {
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
    expect(ci).toEqual(['npm test']);
    expect(readme).toMatch(/^npm test\s+#/m);
    expect(readme).toMatch(/^npm run demo\s+#/m);
  });

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>);
    for (const [, name] of readme.matchAll(/npm run ([a-z][a-z:]*[a-z])\b(?!:)/g)) expect(scripts).toContain(name);
  });
});
