/**
 * A Source that answers like the one it wraps: the cache's sources (hook.ts, region-hook.ts)
 * extend it and replace readPlane for the cells the cache holds. Once an entry has answered, its
 * header's coordinate variables (time axis, lat, lon, levels: the source's own values, bit for
 * bit, stored by the build and valid while the source's stat matches) answer readAll too: a
 * ten-year time axis stored in 3 650 one-value chunks takes ~15 ms to read from the source, more
 * than the point's whole series from the cache.
 */
import { arrayFor, BYTES, type NumArray, type Source, type Var } from '../model.js';
import type { Header } from './format.js';

export abstract class WrappedSource implements Source {
  private readonly coords = new Map<string, NumArray>();

  constructor(protected readonly src: Source) {}

  get format() {
    return this.src.format;
  }
  get dims() {
    return this.src.dims;
  }
  get vars() {
    return this.src.vars;
  }
  get globalAttrs() {
    return this.src.globalAttrs;
  }

  /**
   * Loads `v`'s entry if the cache is to answer for it (subclasses): its header then gives the
   * coordinates of v's dimensions through learn().
   */
  protected abstract prepare(v: Var): void;

  /** Keeps the header's coordinate variables that the source describes the same way. */
  protected learn(h: Header) {
    for (const c of h.coords) {
      const v = this.src.vars.find((x) => x.name === c.name);
      if (!v || this.coords.has(c.name) || v.type !== c.type || v.shape.join() !== c.shape.join()) continue;
      const b = Buffer.from(c.data, 'base64');
      const a = arrayFor(c.type, Math.floor(b.length / BYTES[c.type]));
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(b);
      if (a.length === v.shape.reduce((x, y) => x * y, 1)) this.coords.set(c.name, a);
    }
  }

  readAll(name: string): NumArray {
    if (!this.coords.has(name)) {
      // A coordinate of a variable the cache may answer: that variable's entry has it.
      const v = this.src.vars.find((x) => x.shape.length >= 3 && x.dims.includes(name));
      if (v) this.prepare(v);
    }
    const c = this.coords.get(name);
    return c ? (c.slice() as NumArray) : this.src.readAll(name);
  }

  abstract readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray>;

  close() {
    this.src.close();
  }
}
