/**
 * fast-check arbitraries from the JSON Schemas in /openapi.json: values that match a schema
 * (so requests get past validation into the handlers), and values that almost match (one field
 * of the wrong type, a required field missing, numbers at and past their bounds, odd unicode).
 */
import fc, { type Arbitrary } from 'fast-check';

export type Schema = Record<string, any>;

/** Strings that have hurt servers: traversal, NUL, control and RTL characters, huge, format strings. */
export const NASTY_STRINGS = [
  '', ' ', '..', '../../etc/passwd', '..%2f..%2f', '%2e%2e/%2e%2e/', 'a\u0000b', '\u0000', '\r\nX-Injected: 1', '%s%n%x',
  '\u202e\u0645\u0631\u062d\u0628\u0627', '😀'.repeat(50), '\ud800', 'null', 'undefined', '[]', '{}', '<script>alert(1)</script>',
  "'; DROP TABLE jobs; --", '${7*7}', 'x'.repeat(5000), '/dev/zero', 'C:\\Windows\\win.ini', '~', '*', '?', '#', '%', '%00', '\\\\server\\share',
];

export const NASTY_NUMBERS = [0, -0, -1, 1, 0.5, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), Number.MAX_SAFE_INTEGER, 1e21];

const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
);

const anyNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...NASTY_NUMBERS));

/** Any JSON value, small: what a wrong-typed field is replaced by. */
export const anyJson: Arbitrary<unknown> = fc.oneof(
  anyString,
  anyNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(anyNumber, anyString), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(anyNumber, anyString, fc.boolean()), { maxKeys: 4 }),
);

export class SchemaArbitraries {
  /** `dataFiles`: paths under the service's data root, offered where an input names a file. */
  constructor(
    private readonly components: Record<string, Schema> = {},
    private readonly dataFiles: string[] = [],
  ) {}

  /** Inputs that name data files or countries mostly get real ones, so jobs run past validation. */
  private hinted(key: string, schema: Schema, depth: number): Arbitrary<unknown> {
    const plain = this.valid(schema, depth);
    const s = this.deref(schema);
    if (/^country$/i.test(key) && s.type === 'string') return fc.oneof({ weight: 3, arbitrary: fc.constantFrom('DEU', 'LUX', 'fra', 'USA', 'XXX') }, { weight: 1, arbitrary: plain });
    if (!this.dataFiles.length || !/path|dataset/i.test(key)) return plain;
    const file = fc.constantFrom(...this.dataFiles);
    if (s.type === 'string') return fc.oneof({ weight: 3, arbitrary: file }, { weight: 1, arbitrary: plain });
    if (s.type === 'array') return fc.oneof({ weight: 3, arbitrary: fc.array(file, { minLength: 1, maxLength: 2 }) }, { weight: 1, arbitrary: plain });
    return plain;
  }

  private deref(s: Schema): Schema {
    let x = s;
    for (let i = 0; i < 10 && x && typeof x.$ref === 'string'; i++) x = this.components[x.$ref.split('/').pop()!] ?? {};
    return x ?? {};
  }

  /** Values matching `schema` (mostly), `depth` bounding recursion. */
  valid(schema: Schema, depth = 0): Arbitrary<unknown> {
    const s = this.deref(schema);
    if (depth > 6) return fc.constant(null);
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
    const alts = s.oneOf ?? s.anyOf;
    if (Array.isArray(alts) && alts.length) return fc.oneof(...alts.map((a: Schema) => this.valid(a, depth + 1)));
    if (Array.isArray(s.allOf) && s.allOf.length) return this.valid(Object.assign({}, ...s.allOf.map((a: Schema) => this.deref(a))), depth + 1);
    const type = Array.isArray(s.type) ? s.type[0] : s.type ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
    switch (type) {
      case 'string': {
        const min = s.minLength ?? 0;
        const max = Math.min(s.maxLength ?? 30, min + 30);
        return fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: min, maxLength: max }) }, { weight: 1, arbitrary: anyString });
      }
      case 'integer': {
        // Small values mostly: `sleep` with 86400 seconds would be a job that never ends in a run.
        const min = s.minimum ?? -1000;
        const max = Math.min(s.maximum ?? 1000, min + 3);
        return fc.integer({ min, max });
      }
      case 'number': {
        const min = s.minimum ?? -1000;
        const max = Math.min(s.maximum ?? 1000, min + 2);
        return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      }
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const minLength = s.minItems ?? 0;
        const maxLength = Math.min(s.maxItems ?? 4, minLength + 3);
        return fc.array(this.valid(s.items ?? {}, depth + 1), { minLength, maxLength });
      }
      case 'object': {
        const props: Record<string, Schema> = s.properties ?? {};
        const required = new Set<string>(s.required ?? []);
        const record: Record<string, Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) record[k] = this.hinted(k, v, depth + 1);
        const keys = Object.keys(record);
        if (!keys.length) return fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 2 });
        return fc.record(record, { requiredKeys: keys.filter((k) => required.has(k)) });
      }
      default:
        return anyJson;
    }
  }

  /** Values that break `schema` in one place: wrong type, missing required key, extreme number, extra key. */
  invalid(schema: Schema): Arbitrary<unknown> {
    return fc.tuple(this.valid(schema), fc.integer({ min: 0, max: 1_000_000 }), anyJson, fc.constantFrom(...NASTY_NUMBERS), fc.constantFrom(...NASTY_STRINGS)).map(([v, pick, junk, num, str]) =>
      mutate(v, pick, junk, num, str),
    );
  }
}

/** Replaces, deletes or adds one node of a JSON value, chosen by `pick`. */
export function mutate(value: unknown, pick: number, junk: unknown, num: number, str: string): unknown {
  const nodes: Array<{ parent: any; key: string | number }> = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 8 || v === null || typeof v !== 'object') return;
    for (const k of Object.keys(v)) {
      const key = Array.isArray(v) ? Number(k) : k;
      nodes.push({ parent: v, key });
      walk((v as any)[key], depth + 1);
    }
  };
  const root = { v: structuredClone(value) };
  walk(root, 0);
  const { parent, key } = nodes[pick % nodes.length] ?? { parent: root, key: 'v' };
  switch (pick % 6) {
    case 0:
      parent[key] = junk;
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else if (parent !== root) delete parent[key];
      else root.v = junk;
      break;
    case 2:
      parent[key] = num;
      break;
    case 3:
      parent[key] = str;
      break;
    case 4:
      if (parent && typeof parent === 'object' && !Array.isArray(parent)) parent[`x-${str.slice(0, 10)}`] = junk;
      else parent[key] = [junk, junk];
      break;
    default:
      parent[key] = { type: str, coordinates: [[[num, num]]] };
  }
  return root.v;
}
