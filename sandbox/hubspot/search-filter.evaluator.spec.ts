import { compareValues, containsToken, matchesFilterGroups, parseSearchRequest, type SearchFilter } from './search-filter.evaluator';

const props = { email: 'Ada@Example.com', score: '42', createdate: '2024-05-01T10:00:00Z', lifecyclestage: 'lead' };
const f = (filter: Partial<SearchFilter> & Pick<SearchFilter, 'propertyName' | 'operator'>): SearchFilter => filter as SearchFilter;

describe('search filters', () => {
  it.each([
    [f({ propertyName: 'email', operator: 'EQ', value: 'ada@example.com' }), true],
    [f({ propertyName: 'email', operator: 'NEQ', value: 'ada@example.com' }), false],
    [f({ propertyName: 'score', operator: 'GT', value: '41' }), true],
    [f({ propertyName: 'score', operator: 'GTE', value: '42' }), true],
    [f({ propertyName: 'score', operator: 'LT', value: '42' }), false],
    [f({ propertyName: 'score', operator: 'LTE', value: '100' }), true],
    [f({ propertyName: 'score', operator: 'BETWEEN', value: '40', highValue: '50' }), true],
    [f({ propertyName: 'createdate', operator: 'GTE', value: String(Date.parse('2024-01-01T00:00:00Z')) }), true],
    [f({ propertyName: 'createdate', operator: 'LT', value: '2024-05-01T09:00:00Z' }), false],
    [f({ propertyName: 'lifecyclestage', operator: 'IN', values: ['lead', 'customer'] }), true],
    [f({ propertyName: 'lifecyclestage', operator: 'NOT_IN', values: ['customer'] }), true],
    [f({ propertyName: 'phone', operator: 'HAS_PROPERTY' }), false],
    [f({ propertyName: 'phone', operator: 'NOT_HAS_PROPERTY' }), true],
    [f({ propertyName: 'phone', operator: 'NEQ', value: 'x' }), true],
    [f({ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@example.com' }), true],
  ])('%j → %s', (filter, expected) => {
    expect(matchesFilterGroups(props, [[filter]])).toBe(expected);
  });

  it('ORs groups and ANDs filters inside a group', () => {
    const yes = f({ propertyName: 'score', operator: 'EQ', value: '42' });
    const no = f({ propertyName: 'score', operator: 'EQ', value: '1' });
    expect(matchesFilterGroups(props, [[yes, no]])).toBe(false);
    expect(matchesFilterGroups(props, [[no], [yes]])).toBe(true);
    expect(matchesFilterGroups(props, [])).toBe(true);
  });

  it('compares numbers numerically and text case-insensitively', () => {
    expect(compareValues('9', '10')).toBeLessThan(0);
    expect(compareValues('b', 'A')).toBeGreaterThan(0);
    expect(containsToken('big blue house', 'blue')).toBe(true);
    expect(containsToken('big blue house', 'blu')).toBe(false);
  });

  it('enforces the documented request limits', () => {
    expect(parseSearchRequest({ limit: 201 })).toMatchObject({ ok: false });
    expect(parseSearchRequest({ limit: 200, after: 9_800 })).toMatchObject({ ok: true });
    expect(parseSearchRequest({ limit: 200, after: 9_801 })).toMatchObject({ ok: false });
    const group = { filters: [{ propertyName: 'a', operator: 'HAS_PROPERTY' }] };
    expect(parseSearchRequest({ filterGroups: Array(6).fill(group) })).toMatchObject({ ok: false });
    expect(parseSearchRequest({ filterGroups: [{ filters: Array(7).fill(group.filters[0]) }] })).toMatchObject({ ok: false });
    expect(parseSearchRequest({ filterGroups: [{ filters: [{ propertyName: 'a', operator: 'LIKE', value: 'x' }] }] })).toMatchObject({ ok: false });
    expect(parseSearchRequest(undefined)).toMatchObject({ ok: true, query: { limit: 10, after: 0 } });
  });
});
