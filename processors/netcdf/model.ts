/** The in-memory picture of a NetCDF file that readers produce and the writer consumes. */
export type NcType = 'byte' | 'ubyte' | 'char' | 'short' | 'ushort' | 'int' | 'uint' | 'float' | 'double';
export type NumArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface Attr {
  name: string;
  type: NcType;
  value: string | number[];
}
export interface Dim {
  name: string;
  size: number;
  unlimited: boolean;
}
export interface Var {
  name: string;
  dims: string[];
  shape: number[];
  type: NcType;
  attrs: Attr[];
}

/**
 * An open input. `readPlane` returns one lat×lon plane (all leading indices fixed, flattened
 * to `plane`) of rows [row0, row1), in the stored type, unscaled: masking writes stored values
 * back untouched, and only means unpack.
 */
export interface Source {
  readonly format: 'NetCDF-4' | 'NetCDF-3';
  readonly dims: Dim[];
  readonly vars: Var[];
  readonly globalAttrs: Attr[];
  readAll(name: string): NumArray;
  readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray>;
  close(): void;
}

/** netCDF-C's default fill values (NC_FILL_*), for data without _FillValue. */
export const DEFAULT_FILL: Record<NcType, number> = { byte: -127, ubyte: 255, char: 0, short: -32767, ushort: 65535, int: -2147483647, uint: 4294967295, float: 9.969209968386869e36, double: 9.969209968386869e36 };

export const BYTES: Record<NcType, number> = { byte: 1, ubyte: 1, char: 1, short: 2, ushort: 2, int: 4, uint: 4, float: 4, double: 8 };

export function arrayFor(type: NcType, n: number | ArrayBuffer, offset = 0, length?: number): NumArray {
  const C = { byte: Int8Array, ubyte: Uint8Array, char: Uint8Array, short: Int16Array, ushort: Uint16Array, int: Int32Array, uint: Uint32Array, float: Float32Array, double: Float64Array }[type];
  return typeof n === 'number' ? new C(n) : new C(n, offset, length);
}

export const attrOf = (a: Attr[], name: string) => a.find((x) => x.name === name);
export const numAttr = (a: Attr[], name: string): number | undefined => {
  const v = attrOf(a, name)?.value;
  return Array.isArray(v) && v.length ? v[0] : undefined;
};

/** The value a variable's missing cells hold: its _FillValue, else missing_value, else netCDF's default. */
export const fillOf = (v: Pick<Var, 'attrs' | 'type'>): number => numAttr(v.attrs, '_FillValue') ?? numAttr(v.attrs, 'missing_value') ?? DEFAULT_FILL[v.type];

export const strAttr = (a: Attr[], name: string): string | undefined => {
  const v = attrOf(a, name)?.value;
  return typeof v === 'string' ? v : undefined;
};
