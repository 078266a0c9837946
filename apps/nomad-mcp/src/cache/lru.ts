/**
 * A Map bounded to `max` keys that drops the least recently used one first. A Map iterates in insertion
 * order, so a use re-inserts the key and the first key is always the oldest.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Drops every entry the predicate holds for. */
  deleteWhere(drop: (value: V, key: K) => boolean): void {
    for (const [k, v] of this.map) if (drop(v, k)) this.map.delete(k);
  }
}
