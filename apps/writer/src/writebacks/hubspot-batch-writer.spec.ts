import { mapOutcomes } from './hubspot-batch-writer';

const inputs = (ids: string[]) => ids.map((id, i) => ({ traceId: `w${i}`, body: { id, properties: {}, objectWriteTraceId: `w${i}` } }));

describe('mapOutcomes (pairing HubSpot’s 200/201/207 answers with our inputs)', () => {
  it('pairs results by objectWriteTraceId, and unknown ids of a batch update by the OBJECT_NOT_FOUND entry', () => {
    const outcomes = mapOutcomes(
      { kind: 'update', objectType: 'contacts' },
      inputs(['1', '2', '3']),
      [{ id: '3', objectWriteTraceId: 'w2', properties: { ai_lead_score: '5' } }, { id: '1', properties: {} }],
      [{ category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects', context: { ids: ['2'] } }],
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['applied', 'not-found', 'applied']);
  });

  it('tells a property problem (needs the bootstrap) from an association to a deleted record', () => {
    const outcomes = mapOutcomes(
      { kind: 'create', objectType: 'notes' },
      inputs(['', '', '']),
      [{ id: '900', objectWriteTraceId: 'w0', properties: {} }],
      [
        { category: 'VALIDATION_ERROR', message: 'Property values were not valid', errors: [{ code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['ai_x'] } }], context: { objectWriteTraceId: ['w1'] } },
        { category: 'VALIDATION_ERROR', message: 'One or more associations are invalid', context: { INVALID_OBJECT_IDS: ['77'], objectWriteTraceId: ['w2'] } },
      ],
    );
    expect(outcomes).toEqual([
      { kind: 'applied', record: { id: '900', properties: {} } },
      { kind: 'invalid', message: 'Property values were not valid', propertyProblem: true },
      { kind: 'not-found', message: 'One or more associations are invalid' },
    ]);
  });

  it('an input HubSpot says nothing about is unreported (tried again, never assumed written)', () => {
    expect(mapOutcomes({ kind: 'create', objectType: 'tasks' }, inputs(['']), [], [])).toEqual([{ kind: 'unreported' }]);
  });
});
