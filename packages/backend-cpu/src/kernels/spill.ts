/**
 * The temporary store of a rechunk that cannot be done in memory (see @tessera/array spill.ts): `spill-write`
 * writes the pieces of one block (slices of it) one after the other into one file; `spill-gather` makes a new
 * block from pieces read back from their files at their offsets (its inputs are the writes, for ordering only).
 * Plain files of raw samples, in a directory the compute makes and removes; synchronous I/O, on whichever thread
 * runs the task.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { contiguousTile, emptyTile, isContiguous, itemsize, sizeOf, typedView, type DType, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";
import { copyInto, region } from "../tiles.js";
import { asTile } from "./values.js";
import { sliceTile, type SliceItem } from "./views.js";

/** The pieces (slices) of the input block, written in this order into `file`. */
export type SpillWriteAttrs = { readonly file: string; readonly pieces: readonly (readonly SliceItem[])[] };
/** A piece: region `src .. src + shape` of the slice stored at byte `offset` of `file` (of shape `stored`), to `dst` in the block. */
export type SpillPiece = { readonly file: string; readonly offset: number; readonly stored: readonly number[]; readonly src: readonly number[]; readonly dst: readonly number[]; readonly shape: readonly number[] };
export type SpillGatherAttrs = { readonly shape: readonly number[]; readonly dtype: DType; readonly pieces: readonly SpillPiece[] };

export function spillWriteKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const a = attrs as SpillWriteAttrs;
  const block = asTile(inputs[0], "spill-write");
  const size = itemsize(block.dtype);
  // One scratch buffer, as large as the largest piece, serves every piece that is not contiguous in the block.
  const most = Math.max(0, ...a.pieces.map((items) => items.reduce((n, it) => n * ("count" in it ? it.count : 1), 1)));
  const scratch = ctx.alloc.alloc(block.dtype, most);
  const fd = openSync(a.file, "w");
  try {
    for (const items of a.pieces) {
      const piece = sliceTile(block, items, []);
      let c = piece;
      if (!isContiguous(piece)) {
        c = contiguousTile(typedView(block.dtype, scratch.buffer, scratch.byteOffset, sizeOf(piece.shape)), piece.shape, block.dtype);
        copyInto(c, piece);
      }
      const bytes = new Uint8Array(c.data.buffer, c.data.byteOffset + c.offset * size, sizeOf(c.shape) * size);
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    }
  } finally {
    closeSync(fd);
  }
  return emptyTile("uint8", [0]);
}

/** Reads `bytes.length` bytes of `file` from byte `position`. */
function readAt(file: string, bytes: Uint8Array, position: number): void {
  const fd = openSync(file, "r");
  try {
    let off = 0;
    while (off < bytes.length) {
      const n = readSync(fd, bytes, off, bytes.length - off, position + off);
      if (n === 0) throw new Error(`spill-gather: ${file} ends before byte ${position + bytes.length}`);
      off += n;
    }
  } finally {
    closeSync(fd);
  }
}

export function spillGatherKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const a = attrs as SpillGatherAttrs;
  const size = itemsize(a.dtype);
  const out = contiguousTile(ctx.alloc.alloc(a.dtype, sizeOf(a.shape)), a.shape, a.dtype);
  // One scratch buffer, as large as the largest piece, serves every piece in turn.
  const most = Math.max(0, ...a.pieces.map((p) => sizeOf(p.stored)));
  const scratch = ctx.alloc.alloc(a.dtype, most);
  for (const p of a.pieces) {
    const n = sizeOf(p.stored);
    const data = typedView(a.dtype, scratch.buffer, scratch.byteOffset, n);
    readAt(p.file, new Uint8Array(data.buffer, data.byteOffset, n * size), p.offset);
    copyInto(region(out, p.dst, p.shape), region(contiguousTile(data, p.stored, a.dtype), p.src, p.shape));
  }
  return out;
}
