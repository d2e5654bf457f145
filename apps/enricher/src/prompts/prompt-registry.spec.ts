import { selectPrompt } from './prompt-registry';

describe('selectPrompt', () => {
  it('gives the latest version unless the portal pins one', () => {
    expect(selectPrompt('lead-scoring', undefined)).toMatchObject({ ok: true, prompt: { id: 'lead-scoring', version: 2 } });
    expect(selectPrompt('lead-scoring', { 'lead-scoring': 1 })).toMatchObject({ ok: true, prompt: { version: 1 } });
    expect(selectPrompt('lead-scoring', { 'ticket-triage': 3 })).toMatchObject({ ok: true, prompt: { version: 2 } });
  });

  it('refuses a pin to a version that does not exist instead of upgrading silently', () => {
    expect(selectPrompt('lead-scoring', { 'lead-scoring': 7 })).toEqual({ ok: false, reason: 'the portal pins lead-scoring@7, which does not exist (versions: 1, 2)' });
  });

  it('keeps every version an artefact of its own: v1 has no email draft, v2 does', () => {
    const v1 = selectPrompt('lead-scoring', { 'lead-scoring': 1 });
    const v2 = selectPrompt('lead-scoring', undefined);
    const props = (c: typeof v1) => (c.ok ? Object.keys((c.prompt.tool.inputSchema as { properties: object }).properties) : []);
    expect(props(v1)).not.toContain('emailDraft');
    expect(props(v2)).toContain('emailDraft');
  });
});
