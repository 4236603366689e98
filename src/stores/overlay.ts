/**
 * A JobStore with some methods replaced (the wrappers that watch transitions: callbacks, the
 * time-series cache's auto builds). Everything else passes through, bound to the store itself,
 * because a class's private fields need `this`.
 */
import type { JobStore } from './job-store.js';

export function overlay(store: JobStore, overrides: Partial<JobStore>): JobStore {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof JobStore];
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'constructor') return v;
      let b = bound.get(prop);
      if (!b) bound.set(prop, (b = v.bind(target)));
      return b;
    },
  });
}
