/**
 * A naive eager reference on plain JS numbers: multi-index loops, no views, no chunks, no code
 * generation. Conformance tests compare every op of the engine against it (and NumPy's fixtures where
 * dtype rules are concerned).
 */
import type { DType, Dense, TypedArray } from "tessera";

export interface Ref {
  readonly values: number[];
  readonly shape: number[];
  readonly dtype: DType;
}

export const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function strides(shape: readonly number[]): number[] {
  const out = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

export const ravel = (idx: readonly number[], shape: readonly number[]): number => idx.reduce((acc, v, d) => acc * shape[d]! + v, 0);

export function toRef(d: Dense): Ref {
  return { values: Array.from(d.data as ArrayLike<number | bigint>, Number), shape: [...d.shape], dtype: d.dtype };
}

const INT_BITS: Partial<Record<DType, [number, boolean]>> = {
  int8: [8, true], uint8: [8, false], int16: [16, true], uint16: [16, false], int32: [32, true], uint32: [32, false],
};

/** NumPy's cast of a double to `dtype` (in-range values; NaN to integers is unspecified there, 0 here). */
export function castRef(v: number, dtype: DType): number {
  if (dtype === "bool") return v !== 0 ? 1 : 0;
  if (dtype === "float32") return Math.fround(v);
  if (dtype === "float64") return v;
  if (!Number.isFinite(v)) return 0;
  const t = Math.trunc(v);
  const bits = INT_BITS[dtype];
  if (!bits) return t; // int64/uint64: values in tests stay below 2^53
  const [n, signed] = bits;
  const big = BigInt(t);
  return Number(signed ? BigInt.asIntN(n, big) : BigInt.asUintN(n, big));
}

/** Exact integer product wrapped to `dtype` (doubles lose the low bits of large products). */
export function mulRef(a: number, b: number, dtype: DType): number {
  const bits = INT_BITS[dtype];
  if (!bits || !Number.isInteger(a) || !Number.isInteger(b)) return a * b;
  const p = BigInt(a) * BigInt(b);
  return Number(bits[1] ? BigInt.asIntN(bits[0], p) : BigInt.asUintN(bits[0], p));
}

const CTORS: Record<DType, new (n: number) => TypedArray> = {
  bool: Uint8Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
};

/** A typed array of `dtype` holding `values`. */
export function typedFrom(dtype: DType, values: readonly number[]): TypedArray {
  const out = new CTORS[dtype](values.length);
  values.forEach((v, i) => {
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v);
    else out[i] = v;
  });
  return out;
}

/** Deterministic test data of a dtype: small signed values for ints, fractions (and optional NaNs) for floats. */
export function makeData(dtype: DType, shape: readonly number[], seed = 1, options: { nan?: boolean; positive?: boolean } = {}): { data: TypedArray; ref: Ref } {
  const n = sizeOf(shape);
  const data = new CTORS[dtype](n);
  const values: number[] = [];
  let s = seed * 7919 + 13;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const u = s / 2147483648;
    let v: number;
    if (dtype === "bool") v = u < 0.5 ? 0 : 1;
    else if (dtype.startsWith("uint")) v = Math.floor(u * 200);
    else if (dtype.startsWith("int")) v = Math.floor(u * 200) - (options.positive ? 0 : 100);
    else v = options.nan && u < 0.1 ? NaN : (u - (options.positive ? 0 : 0.5)) * 20;
    v = castRef(v, dtype);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(v);
    else data[i] = v;
    values.push(v);
  }
  return { data, ref: { values, shape: [...shape], dtype } };
}

/** out[idx] = f(idx) over `shape`. */
export function tabulate(shape: readonly number[], f: (idx: number[]) => number): number[] {
  const out: number[] = [];
  for (let k = 0; k < sizeOf(shape); k++) out.push(f(unravel(k, shape)));
  return out;
}

/** The element of `r` that broadcasting maps output index `idx` to. */
export function broadcastGet(r: Ref, idx: readonly number[]): number {
  const lead = idx.length - r.shape.length;
  const own = r.shape.map((n, d) => (n === 1 ? 0 : idx[d + lead]!));
  return r.values[ravel(own, r.shape)]!;
}

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: nd }, (_, d) => Math.max(...shapes.map((s) => s[d - (nd - s.length)] ?? 1)));
}

function closeEnough(a: number, b: number, dtype: DType, rtol?: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  const tol = rtol ?? (dtype === "float32" ? 2e-6 : dtype === "float64" ? 1e-12 : 0);
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Describes the first mismatch between a result and the reference, or returns undefined. */
export function mismatch(actual: Dense, expected: Ref, rtol?: number): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype} !== ${expected.dtype}`;
  if (actual.shape.length !== expected.shape.length || actual.shape.some((n, i) => n !== expected.shape[i])) return `shape (${actual.shape.join(",")}) !== (${expected.shape.join(",")})`;
  const got = toRef(actual).values;
  if (got.length !== expected.values.length) return `length ${got.length} !== ${expected.values.length}`;
  for (let i = 0; i < got.length; i++) {
    if (!closeEnough(got[i]!, expected.values[i]!, expected.dtype, rtol)) return `at flat ${i} [${unravel(i, expected.shape).join(",")}]: ${got[i]} !== ${expected.values[i]}`;
  }
  return undefined;
}
