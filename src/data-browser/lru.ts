/** A small bounded LRU map (Map keeps insertion order: the first key is the least recently used). */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Without touching the order. */
  peek(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, v: V) {
    this.map.delete(key);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, v);
  }

  delete(key: string) {
    this.map.delete(key);
  }

  get size() {
    return this.map.size;
  }
}

/** A file's identity for caches: replaced, rewritten or touched files get a new key. */
export const fileKey = (abs: string, st: { mtimeMs: number; size: number; ino: number }) => `${abs}\0${st.mtimeMs}\0${st.size}\0${st.ino}`;
