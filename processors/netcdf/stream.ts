/** Bounded concurrency for the plane pipeline: reads ahead and writes behind, at most `limit` each. */
export class Bounded {
  private readonly inflight = new Set<Promise<void>>();
  private err: unknown = null;
  constructor(private readonly limit: number) {}

  async push(p: Promise<void>) {
    const q: Promise<void> = p
      .catch((e) => {
        this.err ??= e;
      })
      .finally(() => this.inflight.delete(q));
    this.inflight.add(q);
    if (this.inflight.size >= this.limit) await Promise.race(this.inflight);
    if (this.err) throw this.err;
  }

  async drain() {
    await Promise.all(this.inflight);
    if (this.err) throw this.err;
  }
}

/** Planes in order, each read started `ahead` planes early; rejections are held until awaited. */
export async function* readAhead<T>(n: number, ahead: number, read: (i: number) => Promise<T>): AsyncGenerator<[number, T]> {
  const queue: Array<Promise<T>> = [];
  const start = (i: number) => {
    const p = read(i);
    p.catch(() => {}); // handled when awaited below; avoids an unhandled rejection meanwhile
    queue.push(p);
  };
  for (let i = 0; i < Math.min(ahead, n); i++) start(i);
  for (let i = 0; i < n; i++) {
    const v = await queue.shift()!;
    if (i + ahead < n) start(i + ahead);
    yield [i, v];
  }
}

export function gatherAxis<T extends { length: number; [i: number]: number }>(data: T, shape: number[], axis: number, idx: number[], make: (n: number) => T): T {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = make(outer * idx.length * inner);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < idx.length; k++)
      for (let i = 0; i < inner; i++) out[(o * idx.length + k) * inner + i] = data[(o * shape[axis] + idx[k]) * inner + i];
  return out;
}

/**
 * Reuses plane-sized buffers: a 1-year file allocates ~1 GB in 1 MB pieces otherwise, and every
 * fresh piece costs page faults, kernel zeroing and GC work.
 */
export class Pool<T extends { length: number }> {
  private readonly free: T[] = [];
  constructor(private readonly make: (n: number) => T) {}
  take(n: number): T {
    const i = this.free.findIndex((b) => b.length >= n);
    return i >= 0 ? this.free.splice(i, 1)[0] : this.make(n);
  }
  give(b: T) {
    if (this.free.length < 8) this.free.push(b);
  }
}
