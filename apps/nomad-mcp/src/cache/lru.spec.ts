import { Lru } from './lru';

describe('Lru', () => {
  it('keeps at most max keys, dropping the least recently used first', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now newer than b
    lru.set('c', 3);
    expect(lru.size).toBe(2);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
  });

  it('deletes what a predicate names', () => {
    const lru = new Lru<string, number>(5);
    for (const [k, v] of Object.entries({ a: 1, b: 2, c: 3 })) lru.set(k, v);
    lru.deleteWhere((v) => v % 2 === 1);
    expect(lru.size).toBe(1);
    expect(lru.get('b')).toBe(2);
  });
});
