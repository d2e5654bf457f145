import type { BatchInput } from './batch-inputs';
import { mapUpdateOutcomes, problemOf, refusal } from './hubspot-batch-writer';

const inputs = (ids: string[]): BatchInput[] => ids.map((id, i) => ({ traceId: `w${i}`, commandId: `c${i}`, body: { id, properties: {}, objectWriteTraceId: `w${i}` } }));

describe('mapUpdateOutcomes (pairing a batch update’s answer with its inputs)', () => {
  it('pairs results by object id in any order, and unknown ids by the OBJECT_NOT_FOUND entry', () => {
    const outcomes = mapUpdateOutcomes(inputs(['1', '2', '3']), {
      results: [{ id: '3', properties: { ai_lead_score: '5' } }, { id: '1', properties: {} }],
      errors: [{ category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects', context: { ids: ['2'] } }],
    });
    expect(outcomes.map((o) => o.kind)).toEqual(['applied', 'not-found', 'applied']);
    expect(outcomes[2]).toMatchObject({ record: { id: '3' } });
  });

  it('an input HubSpot says nothing about is unreported (updates are idempotent: sent again)', () => {
    expect(mapUpdateOutcomes(inputs(['1']), { results: [] })).toEqual([{ kind: 'unreported' }]);
    expect(mapUpdateOutcomes(inputs(['1']), 'not json')).toEqual([{ kind: 'unreported' }]);
  });
});

describe('refusal and problemOf (classified by category, codes and context, never wording)', () => {
  it('tells a missing property, a refused owner, an association to a deleted record and anything else apart', () => {
    expect(problemOf({ category: 'VALIDATION_ERROR', errors: [{ code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['ai_x'] } }] })).toBe('missing-property');
    expect(problemOf({ category: 'VALIDATION_ERROR', errors: [{ code: 'INVALID_OPTION', context: { propertyName: ['hubspot_owner_id'] } }] })).toBe('owner');
    expect(problemOf({ category: 'VALIDATION_ERROR', message: 'Property values were not valid' })).toBe('other');
    expect(refusal({ category: 'VALIDATION_ERROR', message: 'One or more associations are invalid', context: { INVALID_OBJECT_IDS: ['77'] } })).toEqual({ kind: 'not-found', message: 'One or more associations are invalid' });
  });
});
