/**
 * A Tile is one block of data: a typed array plus shape, element strides and offset, so that slicing,
 * transposing and broadcasting are zero-copy views. Kernels accept any strides (negative and zero
 * included) and return contiguous tiles. `Dense` is what users get back from `compute()`: contiguous,
 * row-major, offset 0, `data.length === size`.
 */
import { allocate, dtypeOfTypedArray, typedArrayMatches, type DType, type TypedArray } from "./dtype.js";
import { TesseraError } from "./errors.js";
import { shapesEqual, sizeOf, stridesOf, type Shape } from "./shape.js";

export interface Dense {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface Tile extends Dense {
  /** Element strides per axis; may be zero (broadcast) or negative (reversed). */
  readonly strides: readonly number[];
  /** Index of element [0, 0, ...] in `data`. */
  readonly offset: number;
}

export function isTile(v: unknown): v is Tile {
  return typeof v === "object" && v !== null && ArrayBuffer.isView((v as Tile).data) && Array.isArray((v as Tile).shape) && Array.isArray((v as Tile).strides);
}

export function contiguousTile(data: TypedArray, shape: Shape, dtype: DType = dtypeOfTypedArray(data)): Tile {
  return { data, shape: [...shape], dtype, strides: stridesOf(shape), offset: 0 };
}

export function emptyTile(dtype: DType, shape: Shape): Tile {
  return contiguousTile(allocate(dtype, sizeOf(shape)), shape, dtype);
}

/** True when the tile's elements are exactly `data[offset .. offset + size)` in row-major order. */
export function isContiguous(t: Tile): boolean {
  const s = stridesOf(t.shape);
  for (let i = 0; i < t.shape.length; i++) if ((t.shape[i] ?? 0) > 1 && t.strides[i] !== s[i]) return false;
  return true;
}

/** True when the tile is contiguous and covers its whole buffer view: `data` can be handed out as is. */
export function isCompact(t: Tile): boolean {
  return t.offset === 0 && t.data.length === sizeOf(t.shape) && isContiguous(t);
}

export function tileFromDense(d: Dense): Tile {
  return isTile(d) ? d : contiguousTile(d.data, d.shape, d.dtype);
}

/** What a user block function may return: a typed array (row-major) or a `{ data, shape, dtype }`. */
export type BlockValue = TypedArray | Dense;

/** Checks a user function's value against the expected shape and dtype and wraps it as a tile. */
export function tileFromUser(value: unknown, shape: readonly number[], dtype: DType, where: string): Tile {
  let data: TypedArray;
  let got: readonly number[] = shape;
  if (ArrayBuffer.isView(value)) data = value as TypedArray;
  else if (typeof value === "object" && value !== null && ArrayBuffer.isView((value as Dense).data)) {
    data = (value as Dense).data;
    got = (value as Dense).shape ?? shape;
  } else {
    throw new TesseraError("DelayedMismatch", `${where}: expected a typed array or { data, shape, dtype } of dtype ${dtype} and shape (${shape.join(", ")}), got ${value === null ? "null" : typeof value}`);
  }
  // A Uint8Array stores both uint8 and bool: a declared dtype, when the value has one, must match too.
  const declared = ArrayBuffer.isView(value) ? undefined : (value as Dense).dtype;
  if (!typedArrayMatches(data, dtype) || (declared !== undefined && declared !== dtype)) {
    throw new TesseraError("DelayedMismatch", `${where}: expected dtype ${dtype} but got a ${data.constructor.name} (${declared ?? dtypeOfTypedArray(data)}); declare dtype "${declared ?? dtypeOfTypedArray(data)}" or return ${dtype} data`);
  }
  if (!shapesEqual(got, shape) || data.length !== sizeOf(shape)) {
    throw new TesseraError("DelayedMismatch", `${where}: expected shape (${shape.join(", ")}) (${sizeOf(shape)} elements) but got shape (${got.join(", ")}) with ${data.length} elements; declare the shape the function returns`);
  }
  return contiguousTile(data, shape, dtype);
}
