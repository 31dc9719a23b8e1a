/**
 * A Tile is one block of data: a typed array plus shape, element strides and offset, so that slicing,
 * transposing and broadcasting are zero-copy views. Kernels accept any strides (negative and zero
 * included) and return contiguous tiles. `Dense` is what users get back from `compute()`: contiguous,
 * row-major, offset 0, `data.length === size`.
 */
import { allocate, dtypeOfTypedArray, type DType, type TypedArray } from "./dtype.js";
import { sizeOf, stridesOf, type Shape } from "./shape.js";

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
