import { associatedIdsOf } from '../crm/crm-reader';
import { LEAD_SCORING_V1, LEAD_SCORING_V3, LEAD_SCORING_V4 } from '../capabilities/lead-ai/lead-scoring.prompt';
import { renderPrompt } from '../prompts/prompt';
import { allPromptVersions } from '../capabilities/capability-registry';
import { declaredNotIn, flattenContext, highestIds, nestContext, newestFirst, pickDeclared, pickFields } from './crm-context';

describe('CRM context helpers', () => {
  it('flattens the record and its related records into one map, newest first, without ids', () => {
    const flat = flattenContext({
      record: { subject: 'Refund' },
      related: {
        company: [{ id: '5', properties: { name: 'Acme' } }],
        emails: [
          { id: '9', properties: { hs_email_text: 'newest' } },
          { id: '8', properties: { hs_email_text: 'older' } },
        ],
      },
    });
    expect(flat).toEqual({ subject: 'Refund', 'company.name': 'Acme', 'emails.1.hs_email_text': 'newest', 'emails.2.hs_email_text': 'older' });
    expect(nestContext(flat)).toEqual({ subject: 'Refund', company: { name: 'Acme' }, emails: { 1: { hs_email_text: 'newest' }, 2: { hs_email_text: 'older' } } });
  });

  it('keeps the facts of a snapshot a prompt declares, so a replay with another version sees only what that version may', () => {
    const snapshot = {
      jobtitle: 'CEO',
      hs_object_id: '42',
      'company.name': 'Acme',
      'company.phone': '+1 555 0100',
      'notes.1.hs_note_body': 'Called',
      'notes.1.hs_created_by': '7',
      'emails.2.hs_email_subject': 'Hi',
      'tickets.1.subject': 'not a role',
    };
    expect(pickDeclared(snapshot, LEAD_SCORING_V4.context)).toEqual({ jobtitle: 'CEO', 'company.name': 'Acme', 'notes.1.hs_note_body': 'Called', 'emails.2.hs_email_subject': 'Hi' });
    expect(pickDeclared(snapshot, LEAD_SCORING_V1.context)).toEqual({ jobtitle: 'CEO' });
    const live = flattenContext({ record: { jobtitle: 'CEO' }, related: { company: [{ id: '5', properties: { name: 'Acme' } }], emails: [{ id: '9', properties: { hs_email_text: 'x' } }] } });
    expect(pickDeclared(live, LEAD_SCORING_V4.context)).toEqual(live);
  });

  it('keeps the ids the writebacks also associate with in the audit snapshot, and out of every prompt version’s facts', () => {
    const read = { record: { jobtitle: 'CEO', subject: 'Refund' }, related: { company: [{ id: '201', properties: { name: 'Acme' } }], contacts: [{ id: '42', properties: { firstname: 'Jane' } }] } };
    const audited = flattenContext({ ...read, associated: { primaryCompany: '201', openDeal: '302', requester: '42' } });
    expect(audited).toMatchObject({ 'associated.primaryCompany': '201', 'associated.openDeal': '302', 'associated.requester': '42' });
    for (const prompt of allPromptVersions()) {
      const facts = pickDeclared(audited, prompt.context);
      expect(Object.keys(facts).filter((key) => key.startsWith('associated.'))).toEqual([]);
      // The same input as without them: the rendered prompt (and so its hash, and reuse) is unchanged.
      const render = (f: Record<string, string>) => renderPrompt(prompt, { objectType: 'contacts', objectId: '1', facts: f }).hash;
      expect(render(facts)).toBe(render(pickDeclared(flattenContext(read), prompt.context)));
    }
  });

  it('names what a prompt version declares that another did not read', () => {
    expect(declaredNotIn(LEAD_SCORING_V4.context, LEAD_SCORING_V3.context)).toEqual([]);
    const wider = declaredNotIn(LEAD_SCORING_V4.context, LEAD_SCORING_V1.context);
    expect(wider).toEqual(expect.arrayContaining(['recent_conversion_event_name', 'company.name', 'notes.hs_note_body', 'emails.hs_email_text']));
    expect(wider).not.toContain('jobtitle');
    expect(declaredNotIn(LEAD_SCORING_V1.context, LEAD_SCORING_V4.context)).toEqual([]);
  });

  it('keeps only declared, non-empty fields', () => {
    expect(pickFields({ a: 'x', b: '', c: null, d: 'y', e: '  ' }, ['a', 'b', 'c', 'e'])).toEqual({ a: 'x' });
  });

  it('orders by a timestamp in either of HubSpot’s formats, records without one last', () => {
    const records = [
      { id: '1', properties: { hs_timestamp: '2026-11-01T00:00:00Z' } },
      { id: '2', properties: { hs_timestamp: null } },
      { id: '3', properties: { hs_timestamp: String(Date.parse('2026-11-03T00:00:00Z')) } },
      { id: '4', properties: { hs_timestamp: '2026-11-02T00:00:00.000Z' } },
    ];
    expect(newestFirst(records, 'hs_timestamp', 3).map((r) => r.id)).toEqual(['3', '4', '1']);
  });

  it('takes the highest ids as the newest candidates, numerically', () => {
    expect(highestIds(['9', '10', '100', 'x', '11'], 3)).toEqual(['100', '11', '10']);
  });

  it('recognises the primary company in v3 association lists', () => {
    expect(associatedIdsOf([
      { id: '7', type: 'contact_to_company_unlabeled' },
      { id: '8', type: 'contact_to_company_unlabeled' },
      { id: '8', type: 'contact_to_company' },
    ])).toEqual({ ids: ['7', '8'], primaryId: '8' });
    expect(associatedIdsOf([{ id: '3', type: 'ticket_to_contact' }])).toEqual({ ids: ['3'] });
  });
});
