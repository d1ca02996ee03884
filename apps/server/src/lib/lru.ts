/** A Map that keeps at most `capacity` entries, dropping the least recently used one. */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      // Re-inserting moves the key to the end of the Map's order: the most recently used.
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
  }

  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, value] of this.map) if (matches(value)) this.map.delete(key);
  }
}
