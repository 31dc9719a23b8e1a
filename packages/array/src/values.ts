/** Converting what user functions return into tiles, with errors that say what was expected. */
import { TesseraError, contiguousTile, dtypeOfTypedArray, shapesEqual, sizeOf, typedArrayMatches, type DType, type Dense, type Tile, type TypedArray } from "@tessera/core";

/** What a user block function may return: a typed array (row-major) or a `{ data, shape, dtype }`. */
export type BlockValue = TypedArray | Dense;

/** Checks a user value against the expected shape and dtype and wraps it as a tile. */
export function toTile(value: unknown, shape: readonly number[], dtype: DType, where: string): Tile {
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
    throw new TesseraError("DelayedMismatch", `${where}: expected dtype ${dtype} but got a ${data.constructor.name} (${dtypeOfTypedArray(data)}); declare dtype "${dtypeOfTypedArray(data)}" or return ${dtype} data`);
  }
  if (!shapesEqual(got, shape) || data.length !== sizeOf(shape)) {
    throw new TesseraError("DelayedMismatch", `${where}: expected shape (${shape.join(", ")}) (${sizeOf(shape)} elements) but got shape (${got.join(", ")}) with ${data.length} elements; declare the shape the function returns`);
  }
  return contiguousTile(data, shape, dtype);
}
