/**
 * Data types and NumPy's promotion and casting rules.
 *
 * Promotion between arrays follows `numpy.result_type`; a JS number combined with an array is a "weak"
 * scalar as in NumPy 2 (NEP 50): it takes the array's dtype when its kind fits (an integral number with an
 * integer array, any number with a float array), otherwise the default of its kind (int64, float64).
 * JS has one number type, so an integral value such as `2` counts as an integer scalar; `2.5`, `NaN` and
 * `Infinity` count as floats. float16 has no compute type here: NumPy rules that produce float16 give
 * float32 (see docs/decisions.md).
 */
import { TesseraError, show } from "./errors.js";

export type DType =
  | "bool"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "float32"
  | "float64";

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export type DTypeKind = "b" | "i" | "u" | "f";

interface DTypeInfo {
  readonly kind: DTypeKind;
  readonly itemsize: number;
  readonly ctor: { new (n: number): TypedArray; new (buf: ArrayBufferLike, offset: number, length: number): TypedArray };
  readonly min: number;
  readonly max: number;
}

const INFO: Readonly<Record<DType, DTypeInfo>> = {
  bool: { kind: "b", itemsize: 1, ctor: Uint8Array, min: 0, max: 1 },
  int8: { kind: "i", itemsize: 1, ctor: Int8Array, min: -128, max: 127 },
  uint8: { kind: "u", itemsize: 1, ctor: Uint8Array, min: 0, max: 255 },
  int16: { kind: "i", itemsize: 2, ctor: Int16Array, min: -32768, max: 32767 },
  uint16: { kind: "u", itemsize: 2, ctor: Uint16Array, min: 0, max: 65535 },
  int32: { kind: "i", itemsize: 4, ctor: Int32Array, min: -2147483648, max: 2147483647 },
  uint32: { kind: "u", itemsize: 4, ctor: Uint32Array, min: 0, max: 4294967295 },
  int64: { kind: "i", itemsize: 8, ctor: BigInt64Array, min: -(2 ** 63), max: 2 ** 63 - 1 },
  uint64: { kind: "u", itemsize: 8, ctor: BigUint64Array, min: 0, max: 2 ** 64 - 1 },
  float32: { kind: "f", itemsize: 4, ctor: Float32Array, min: -3.4028234663852886e38, max: 3.4028234663852886e38 },
  float64: { kind: "f", itemsize: 8, ctor: Float64Array, min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
};

export const DTYPES: readonly DType[] = Object.keys(INFO) as DType[];

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(INFO, value);
}

/** Validates a user-supplied dtype, naming the argument on failure. */
export function checkDType(value: unknown, argument = "dtype"): DType {
  if (isDType(value)) return value;
  throw new TesseraError("DTypeError", `${argument}: unknown dtype ${show(value)}; valid dtypes are ${DTYPES.join(", ")}`);
}

export const kindOf = (d: DType): DTypeKind => INFO[d].kind;
export const itemsize = (d: DType): number => INFO[d].itemsize;
export const dtypeRange = (d: DType): readonly [number, number] => [INFO[d].min, INFO[d].max];
export const isFloat = (d: DType): boolean => INFO[d].kind === "f";
export const isInteger = (d: DType): boolean => INFO[d].kind === "i" || INFO[d].kind === "u";
export const isBig = (d: DType): boolean => d === "int64" || d === "uint64";

/** A new zero-filled typed array of `n` elements of dtype `d` (on a SharedArrayBuffer when asked). Tiles come from a `TilePool` instead. */
export function allocate(d: DType, n: number, shared = false): TypedArray {
  const info = INFO[d];
  if (!shared) return new info.ctor(n);
  return new info.ctor(new SharedArrayBuffer(n * info.itemsize), 0, n);
}

/** A typed array of dtype `d` over `n` elements of `buffer` from `byteOffset` (no copy). */
export function typedView(d: DType, buffer: ArrayBufferLike, byteOffset: number, n: number): TypedArray {
  return new INFO[d].ctor(buffer, byteOffset, n);
}

/** The dtype a typed array stores (Uint8Array reads as uint8). */
export function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint32Array) return "uint32";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Uint16Array) return "uint16";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof BigUint64Array) return "uint64";
  return "uint8";
}

/** True when `a` is a typed array whose storage matches dtype `d`. */
export function typedArrayMatches(a: TypedArray, d: DType): boolean {
  return a instanceof INFO[d].ctor;
}

function signedOfSize(size: number): DType | undefined {
  return ({ 1: "int8", 2: "int16", 4: "int32", 8: "int64" } as Record<number, DType>)[size];
}

/** numpy.promote_types for two dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const A = INFO[a];
  const B = INFO[b];
  if (A.kind === "b") return b;
  if (B.kind === "b") return a;
  if (A.kind === "f" && B.kind === "f") return A.itemsize >= B.itemsize ? a : b;
  if (A.kind === "f" || B.kind === "f") {
    const [f, i] = A.kind === "f" ? [a, b] : [b, a];
    // float32 holds int8/uint8/int16/uint16 exactly; wider integers need float64.
    return itemsize(i) <= 2 ? f : "float64";
  }
  if (A.kind === B.kind) return A.itemsize >= B.itemsize ? a : b;
  const [s, u] = A.kind === "i" ? [a, b] : [b, a];
  if (itemsize(s) > itemsize(u)) return s;
  return signedOfSize(itemsize(u) * 2) ?? "float64";
}

/** A wider dtype to suggest when a value does not fit. */
const WIDER: Readonly<Record<DType, DType>> = {
  bool: "int16", int8: "int16", uint8: "int16", int16: "int32", uint16: "int32", int32: "int64", uint32: "int64",
  int64: "float64", uint64: "float64", float32: "float64", float64: "float64",
};

/** A scalar operand: JS numbers are weak (NEP 50), typed scalars (`{ value, dtype }`) are strong. */
export type Scalar = number | boolean;

export function scalarKind(v: Scalar): DTypeKind {
  if (typeof v === "boolean") return "b";
  return Number.isInteger(v) ? "i" : "f";
}

/**
 * numpy.result_type over array dtypes and weak scalars. Integer scalars that do not fit the integer
 * dtype they would take are an OverflowError, as in NumPy 2 (`uint8 array + 300`).
 */
export function resultType(dtypes: readonly DType[], scalars: readonly Scalar[] = [], argument = "operands"): DType {
  if (dtypes.length === 0) {
    if (scalars.length === 0) throw new TesseraError("ValueError", `${argument}: resultType needs at least one dtype or scalar`);
    const kinds = scalars.map(scalarKind);
    return kinds.includes("f") ? "float64" : kinds.includes("i") ? "int64" : "bool";
  }
  let d = dtypes.reduce(promoteTypes);
  for (const s of scalars) {
    const k = scalarKind(s);
    const dk = kindOf(d);
    if (k === "b") continue;
    if (k === "f") {
      if (dk !== "f") d = "float64";
      continue;
    }
    if (dk === "b") d = "int64";
    else if (dk !== "f") {
      const [lo, hi] = dtypeRange(d);
      const v = s as number;
      if (v < lo || v > hi) {
        throw new TesseraError(
          "OverflowError",
          `${argument}: the integer ${v} does not fit in ${d} (range ${lo}..${hi}); cast the array first, e.g. x.astype("${WIDER[d]}")`,
        );
      }
    }
  }
  return d;
}

export type Casting = "no" | "equiv" | "safe" | "same_kind" | "unsafe";

/** numpy.can_cast(from, to, casting) for dtypes. */
export function canCast(from: DType, to: DType, casting: Casting = "safe"): boolean {
  if (casting === "unsafe") return true;
  if (casting === "no" || casting === "equiv") return from === to;
  const safe = promoteTypes(from, to) === to;
  if (casting === "safe") return safe;
  if (safe) return true;
  const order: Record<DTypeKind, number> = { b: 0, u: 1, i: 2, f: 3 };
  const kf = kindOf(from);
  const kt = kindOf(to);
  // same_kind: safe, or within a kind (float64 -> float32), or u -> i
  return order[kf] <= order[kt] && !(kf === "i" && kt === "u");
}
