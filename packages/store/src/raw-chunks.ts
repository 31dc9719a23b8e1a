/**
 * Uncompressed Zarr chunks read straight from their files into tile memory, on any thread (a module kernel:
 * `ChunkSource.load`). No codec means the chunk file is the chunk's bytes, little-endian, row-major: it is read
 * with `readSync` into memory from the task's allocator (pooled, reused), with no intermediate Buffer and no
 * copy, and the consumer (a reduction, an elementwise chain) runs in the same task on the same thread. This
 * module imports neither zarrita nor a codec, so a worker loads it in microseconds.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { TesseraError, blockShape, freshAllocator, isBig, itemsize, regularChunks, sizeOf, stridesOf, type Allocator, type DType, type Tile } from "@tessera/core";

export interface RawChunkParams {
  /** The array's directory, and how a chunk's key is made: `prefix` then the indices joined by `separator`. */
  readonly dir: string;
  readonly prefix: string;
  readonly separator: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly chunkShape: readonly number[];
  /** The fill value of missing chunks: a number (NaN and infinities too), or a decimal string for 64-bit integers. */
  readonly fill: number | string;
  readonly index: readonly number[];
}

/** The file of chunk `index`. */
export function rawChunkFile(p: Omit<RawChunkParams, "index">, index: readonly number[]): string {
  const name = `${p.prefix}${index.length ? index.join(p.separator) : "0"}`;
  return join(p.dir, ...name.split("/"));
}

const isMissing = (e: unknown): boolean => typeof e === "object" && e !== null && "code" in e && ((e as { code: string }).code === "ENOENT" || (e as { code: string }).code === "ENOTDIR");

/** Reads exactly `into.length` bytes of `fd` (a short file is corrupt: edge chunks are stored whole too). */
function readAll(fd: number, into: Uint8Array, file: string): void {
  const size = fstatSync(fd).size;
  if (size !== into.length) {
    throw new TesseraError("ValueError", `fromZarr: chunk file ${file} has ${size} bytes, but an uncompressed chunk of this array has ${into.length}; the file is truncated or corrupt: rewrite the array (or remove the file to read it as the fill value)`);
  }
  let off = 0;
  while (off < into.length) {
    const n = readSync(fd, into, off, into.length - off, off);
    if (n === 0) throw new TesseraError("ValueError", `fromZarr: chunk file ${file} ended after ${off} of ${into.length} bytes while being read; it changed under the read`);
    off += n;
  }
}

/** Loads block `p.index`: the chunk file read into memory from `alloc`, cut to the block at the array's edges. */
export function loadRawChunk(_inputs: readonly unknown[], p: RawChunkParams, ctx: { readonly alloc?: Allocator } = {}): Tile {
  const alloc = ctx.alloc ?? freshAllocator;
  const n = sizeOf(p.chunkShape);
  const data = alloc.alloc(p.dtype, n);
  const file = rawChunkFile(p, p.index);
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  if (fd === undefined) {
    // A missing chunk is the fill value (pooled memory is not zeroed: always fill).
    if (isBig(p.dtype)) (data as BigInt64Array).fill(typeof p.fill === "string" ? BigInt(p.fill) : BigInt(Number.isFinite(p.fill) ? Math.trunc(p.fill) : 0));
    else (data as Float64Array).fill(Number(p.fill));
  } else {
    try {
      readAll(fd, new Uint8Array(data.buffer, data.byteOffset, n * itemsize(p.dtype)), file);
    } finally {
      closeSync(fd);
    }
  }
  // Edge chunks are stored whole: the block is the part inside the array.
  const shape = blockShape(p.shape.map((s, d) => regularChunks(s, p.chunkShape[d]!)), p.index);
  return { data, shape, dtype: p.dtype, strides: stridesOf(p.chunkShape), offset: 0 };
}
