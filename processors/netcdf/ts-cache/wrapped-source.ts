/**
 * A Source that answers like the one it wraps: the cache's sources (hook.ts, region-hook.ts)
 * extend it and replace only readPlane, for the cells the cache holds.
 */
import type { NumArray, Source } from '../model.js';

export abstract class WrappedSource implements Source {
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

  readAll(name: string): NumArray {
    return this.src.readAll(name);
  }

  abstract readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray>;

  close() {
    this.src.close();
  }
}
