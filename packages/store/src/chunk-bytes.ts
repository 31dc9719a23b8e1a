/** Blocks as Zarr chunk bytes: padded to the full chunk shape with the fill value, little-endian. */
import { contiguousTile, isBig, isContiguous, itemsize, sizeOf, stridesOf, type DType, type Tile, type TypedArray } from "@tessera/core";

/** A block padded to the full chunk shape (edge chunks are stored whole, padded with the fill value), as little-endian bytes. */
export function chunkBytes(tile: Tile, chunkShape: readonly number[], dtype: DType, fill: number): Uint8Array {
  const n = sizeOf(chunkShape);
  // An interior chunk that is already contiguous is its own bytes (the usual case: no copy).
  if (isContiguous(tile) && tile.shape.every((d, i) => d === chunkShape[i])) {
    return new Uint8Array(tile.data.buffer, tile.data.byteOffset + tile.offset * itemsize(dtype), n * itemsize(dtype));
  }
  const out = contiguousTile(new (tile.data.constructor as new (n: number) => TypedArray)(n), chunkShape, dtype);
  if (fill !== 0) (out.data as Float64Array).fill((isBig(dtype) ? BigInt(fill) : fill) as number);
  const os = stridesOf(chunkShape);
  const nd = tile.shape.length;
  const idx = new Array<number>(nd).fill(0);
  const total = sizeOf(tile.shape);
  for (let k = 0; k < total; k++) {
    let src = tile.offset;
    let dst = 0;
    for (let d = 0; d < nd; d++) {
      src += idx[d]! * tile.strides[d]!;
      dst += idx[d]! * os[d]!;
    }
    (out.data as Float64Array)[dst] = (tile.data as Float64Array)[src]!;
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < tile.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return new Uint8Array(out.data.buffer, out.data.byteOffset, n * itemsize(dtype));
}

