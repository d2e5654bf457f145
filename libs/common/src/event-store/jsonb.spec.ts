import { toJsonb } from './event-store.repository';

describe('toJsonb', () => {
  it('replaces NUL characters, which Postgres jsonb refuses, and nothing else', () => {
    expect(JSON.parse(toJsonb({ v: 'a\u0000b' }))).toEqual({ v: 'a\ufffdb' });
    expect(JSON.parse(toJsonb({ v: 'literal \\u0000 text' }))).toEqual({ v: 'literal \\u0000 text' });
    expect(JSON.parse(toJsonb({ v: '\\\u0000' }))).toEqual({ v: '\\\ufffd' });
    expect(toJsonb({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });

  it('replaces lone surrogates, which jsonb refuses too, and keeps real pairs', () => {
    expect(JSON.parse(toJsonb({ v: 'a\ud800b', w: '\udc00' }))).toEqual({ v: 'a\ufffdb', w: '\ufffd' });
    expect(JSON.parse(toJsonb({ v: '😀 \\ud800' }))).toEqual({ v: '😀 \\ud800' });
  });
});
