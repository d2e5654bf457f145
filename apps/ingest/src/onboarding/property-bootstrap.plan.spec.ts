import { capabilityProperty, PERSONAS, TICKET_CATEGORIES } from '@app/common';
import { createPropertyBody, judgeProperty, planObjectType, wantedByObjectType, type ListedProperty, type ObjectTypeWants, type WantedProperty } from './property-bootstrap.plan';
import { readGroupNames, readPropertyList } from './property-listing';
import { enabledCapabilities, summarize } from './portal-bootstrap.service';
import { schemaScope } from './property-bootstrap.error';

const aListed = (overrides: Partial<ListedProperty> & { name: string }): ListedProperty => ({ type: 'string', fieldType: 'textarea', options: [], readOnlyValue: false, ...overrides });
const option = (value: string, displayOrder: number, hidden = false) => ({ label: value, value, displayOrder, hidden });
const contactsWants = (): ObjectTypeWants => wantedByObjectType(['lead-ai']).find((w) => w.objectType === 'contacts')!;
const persona = capabilityProperty('lead-ai', 'contacts', 'ai_persona');

describe('wantedByObjectType', () => {
  it("groups the capabilities' properties by object type, each with its capability's group", () => {
    const wants = wantedByObjectType(['lead-ai', 'service-ai']);
    expect(wants.map((w) => w.objectType)).toEqual(['contacts', 'tickets']);
    expect(wants[0]!.properties.map((p) => p.name)).toEqual(['ai_lead_score', 'ai_persona', 'ai_summary', 'ai_pain_points', 'ai_recommended_action']);
    expect(wants[1]!.properties.map((p) => p.name)).toEqual(['ai_category', 'ai_sentiment', 'ai_summary']);
    expect(wants.every((w) => w.groups.length === 1 && w.groups[0]!.name === 'ai_insights' && w.properties.every((p) => p.groupName === 'ai_insights'))).toBe(true);
  });

  it('lists a capability named twice once, and nothing for no capability', () => {
    expect(wantedByObjectType(['service-ai', 'service-ai'])[0]!.properties).toHaveLength(3);
    expect(wantedByObjectType([])).toEqual([]);
  });
});

describe('judgeProperty', () => {
  it('creates a property HubSpot does not list', () => {
    expect(judgeProperty(persona, undefined)).toEqual({ kind: 'create' });
  });

  it('leaves a property of the same type and options alone', () => {
    const listed = aListed({ name: 'ai_persona', type: 'enumeration', fieldType: 'select', options: PERSONAS.map((p, i) => option(p, i)) });
    expect(judgeProperty(persona, listed)).toEqual({ kind: 'present' });
  });

  it('reports a same-named property of another type as conflicting, saying what to do', () => {
    const verdict = judgeProperty(capabilityProperty('lead-ai', 'contacts', 'ai_lead_score'), aListed({ name: 'ai_lead_score', type: 'string', fieldType: 'text' }));
    expect(verdict).toEqual({ kind: 'conflicting', detail: expect.stringContaining('exists as string (text) but the platform writes number (number) values') });
    expect((verdict as { detail: string }).detail).toMatch(/left unchanged: rename or delete it in HubSpot.*run the bootstrap again/);
  });

  it('reports a property whose value HubSpot computes as conflicting', () => {
    const verdict = judgeProperty(capabilityProperty('lead-ai', 'contacts', 'ai_summary'), aListed({ name: 'ai_summary', readOnlyValue: true }));
    expect(verdict).toMatchObject({ kind: 'conflicting', detail: expect.stringContaining('HubSpot computes its value') });
  });

  it('takes another field type of the same type as present, with a note', () => {
    expect(judgeProperty(capabilityProperty('lead-ai', 'contacts', 'ai_summary'), aListed({ name: 'ai_summary', fieldType: 'text' }))).toEqual({
      kind: 'present',
      detail: 'shown as text rather than textarea; the values written are the same',
    });
  });

  it('adds only the missing options of an enumeration, after the existing ones, which it keeps as they are', () => {
    const existing = [{ ...option('decision_maker', 3), label: 'Decider', description: 'theirs' }, option('influencer', 7, true), option('their_own', 1)];
    const verdict = judgeProperty(persona, aListed({ name: 'ai_persona', type: 'enumeration', fieldType: 'radio', options: existing }));
    expect(verdict).toEqual({
      kind: 'add-options',
      added: ['practitioner', 'researcher', 'unknown'],
      options: [...existing, { label: 'Practitioner', value: 'practitioner', displayOrder: 8, hidden: false }, { label: 'Researcher', value: 'researcher', displayOrder: 9, hidden: false }, { label: 'Unknown', value: 'unknown', displayOrder: 10, hidden: false }],
    });
  });
});

describe('planObjectType', () => {
  it('plans every property and the group of a fresh portal', () => {
    const plan = planObjectType(contactsWants(), { properties: [aListed({ name: 'email', fieldType: 'text' })], groupNames: ['contactinformation'] });
    expect(plan.groups).toEqual([{ name: 'ai_insights', label: 'AI insights', listed: false, needed: true }]);
    expect(plan.properties.map((p) => p.verdict.kind)).toEqual(['create', 'create', 'create', 'create', 'create']);
  });

  it('plans nothing to write when everything is there', () => {
    const listed = contactsWants().properties.map((p) => aListed({ name: p.name, type: p.type, fieldType: p.fieldType, options: p.type === 'enumeration' ? p.options.map((o, i) => option(o.value, i)) : [] }));
    const plan = planObjectType(contactsWants(), { properties: listed, groupNames: ['ai_insights'] });
    expect(plan.groups).toEqual([{ name: 'ai_insights', label: 'AI insights', listed: true, needed: false }]);
    expect(plan.properties.every((p) => p.verdict.kind === 'present')).toBe(true);
  });

  it('does not bring back a missing group when nothing is to be created in it', () => {
    const listed = contactsWants().properties.map((p) => aListed({ name: p.name, type: p.type, fieldType: p.fieldType, options: p.type === 'enumeration' ? p.options.map((o, i) => option(o.value, i)) : [] }));
    expect(planObjectType(contactsWants(), { properties: listed, groupNames: [] }).groups[0]).toMatchObject({ listed: false, needed: false });
  });
});

describe('createPropertyBody', () => {
  const wanted = (capability: 'lead-ai' | 'service-ai', objectType: 'contacts' | 'tickets', name: string): WantedProperty => ({ ...capabilityProperty(capability, objectType, name), groupName: 'ai_insights' });

  it('sends what HubSpot requires, with the declared type', () => {
    expect(createPropertyBody(wanted('lead-ai', 'contacts', 'ai_lead_score'))).toEqual({
      name: 'ai_lead_score', label: 'AI lead score', description: expect.any(String), groupName: 'ai_insights', type: 'number', fieldType: 'number',
    });
    expect(createPropertyBody(wanted('lead-ai', 'contacts', 'ai_summary'))).toMatchObject({ type: 'string', fieldType: 'textarea' });
  });

  it('gives an enumeration its options with label, value, displayOrder and hidden', () => {
    const body = createPropertyBody(wanted('service-ai', 'tickets', 'ai_category'));
    expect(body).toMatchObject({ type: 'enumeration', fieldType: 'select' });
    expect(body.options).toEqual(TICKET_CATEGORIES.map((value, displayOrder) => ({ label: expect.any(String), value, displayOrder, hidden: false })));
  });

  it('gives a boolean its true and false options', () => {
    const flag: WantedProperty = { objectType: 'contacts', name: 'ai_flag', label: 'AI flag', description: '', type: 'bool', fieldType: 'booleancheckbox', groupName: 'ai_insights' };
    expect(createPropertyBody(flag)).toMatchObject({ type: 'bool', fieldType: 'booleancheckbox', options: [{ value: 'true', hidden: false }, { value: 'false', hidden: false }] });
  });
});

describe("reading HubSpot's listings", () => {
  it('reads properties, their options and whether their value is computed', () => {
    const body = { results: [{ name: 'ai_persona', type: 'enumeration', fieldType: 'select', options: [{ label: 'A', value: 'a', displayOrder: 2, hidden: true, description: 'd' }], modificationMetadata: { readOnlyValue: false } }, { name: 'hs_x', type: 'number', calculated: true }] };
    expect(readPropertyList(body)).toEqual([
      { name: 'ai_persona', type: 'enumeration', fieldType: 'select', options: [{ label: 'A', value: 'a', displayOrder: 2, hidden: true, description: 'd' }], readOnlyValue: false },
      { name: 'hs_x', type: 'number', fieldType: '', options: [], readOnlyValue: true },
    ]);
    expect(readGroupNames({ results: [{ name: 'ai_insights', label: 'AI insights' }] })).toEqual(['ai_insights']);
  });

  it('reads nothing from an answer of another shape', () => {
    expect(readPropertyList({ properties: [] })).toBeUndefined();
    expect(readPropertyList({ results: [{ label: 'no name' }] })).toBeUndefined();
    expect(readGroupNames('oops')).toBeUndefined();
  });
});

describe('around the bootstrap', () => {
  it("takes every capability the portal's connection does not block", () => {
    expect(enabledCapabilities({ connection: {} })).toEqual(['lead-ai', 'service-ai', 'management-ai']);
    expect(enabledCapabilities({ connection: { capabilities: { enabled: ['lead-ai'], blocked: [{ capability: 'service-ai', missingScopes: ['tickets'] }] } } })).toEqual(['lead-ai', 'management-ai']);
  });

  it('counts the results by outcome', () => {
    const r = (outcome: 'created' | 'present' | 'options-added' | 'conflicting' | 'failed') => ({ objectType: 'contacts' as const, name: 'x', kind: 'property' as const, outcome });
    expect(summarize([r('created'), r('created'), r('present'), r('options-added'), r('conflicting'), r('failed')])).toEqual({ created: 2, present: 1, optionsAdded: 1, conflicting: 1, failed: 1 });
  });

  it('names the schema scope an object type needs, with its alternatives', () => {
    expect(schemaScope('contacts', 'write')).toBe('crm.schemas.contacts.write');
    expect(schemaScope('tickets', 'write')).toBe('crm.schemas.tickets.write or tickets');
    expect(schemaScope('deals', 'read')).toBe('crm.schemas.deals.read');
  });
});
