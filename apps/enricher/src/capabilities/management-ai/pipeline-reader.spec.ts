import { pipelineStagesOf } from './pipeline-reader';

const stage = (id: string, metadata: unknown, extra: Record<string, unknown> = {}) => ({ id, label: id, displayOrder: 0, archived: false, metadata, ...extra });

describe('pipelineStagesOf (the pipelines API answer as PipelineStages)', () => {
  it("maps pipeline → stage → probability, parsed from HubSpot's strings", () => {
    const pipelines = pipelineStagesOf({
      results: [
        { id: 'default', label: 'Sales Pipeline', displayOrder: 0, archived: false, stages: [stage('qualifiedtobuy', { isClosed: 'false', probability: '0.4' }), stage('closedwon', { isClosed: 'true', probability: '1.0' }), stage('closedlost', { isClosed: 'true', probability: '0.0' })] },
        { id: '7001', label: 'Renewals', displayOrder: 1, archived: false, stages: [stage('7002', { probability: 0.3 })] },
      ],
    });
    expect(pipelines && [...pipelines].map(([id, stages]) => [id, [...stages]])).toEqual([
      ['default', [['qualifiedtobuy', { probability: 0.4 }], ['closedwon', { probability: 1 }], ['closedlost', { probability: 0 }]]],
      ['7001', [['7002', { probability: 0.3 }]]],
    ]);
  });

  it('a probability absent, empty, unparseable or outside 0–1 is null (the deal’s own is used then)', () => {
    const pipelines = pipelineStagesOf({
      results: [{ id: 'p', stages: [stage('none', {}), stage('no-metadata', undefined), stage('empty', { probability: '' }), stage('text', { probability: 'high' }), stage('over', { probability: '1.5' }), stage('neg', { probability: '-0.1' }), stage('ok', { probability: ' 0.6 ' })] }],
    });
    expect(Object.fromEntries(pipelines?.get('p') ?? [])).toEqual({
      none: { probability: null },
      'no-metadata': { probability: null },
      empty: { probability: null },
      text: { probability: null },
      over: { probability: null },
      neg: { probability: null },
      ok: { probability: 0.6 },
    });
  });

  it('leaves archived (deleted) pipelines and stages out, so a deal still in one is not found', () => {
    const pipelines = pipelineStagesOf({
      results: [
        { id: 'default', archived: false, stages: [stage('a', { probability: '0.2' }), stage('gone', { probability: '0.4' }, { archived: true, archivedAt: '2026-11-01T00:00:00Z' })] },
        { id: 'old', archived: true, archivedAt: '2026-10-01T00:00:00Z', stages: [stage('b', { probability: '0.5' })] },
      ],
    });
    expect(pipelines?.has('old')).toBe(false);
    expect([...(pipelines?.get('default')?.keys() ?? [])]).toEqual(['a']);
  });

  it('an answer of another shape is undefined; no pipelines at all is an empty map', () => {
    expect(pipelineStagesOf(undefined)).toBeUndefined();
    expect(pipelineStagesOf('<html>')).toBeUndefined();
    expect(pipelineStagesOf({ pipelines: [] })).toBeUndefined();
    expect(pipelineStagesOf({ results: [{ id: 7, stages: [] }] })).toBeUndefined();
    expect(pipelineStagesOf({ results: [{ id: 'p' }] })).toBeUndefined();
    expect(pipelineStagesOf({ results: [{ id: 'p', stages: [{ label: 'no id' }] }] })).toBeUndefined();
    expect(pipelineStagesOf({ results: [] })?.size).toBe(0);
  });
});
