/**
 * The temporary store of a rechunk that cannot be done in memory (see @tessera/array spill.ts): `spill-write`
 * writes one piece of a block (a slice of it) to its own file; `spill-gather` makes a new block from pieces read
 * back (its inputs are the writes, for ordering only). Plain files of raw samples, in a directory the compute
 * makes and removes; synchronous I/O, on whichever thread runs the task.
 */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from "node:fs";
import { contiguousTile, emptyTile, isContiguous, itemsize, sizeOf, typedView, type DType, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";
import { copyInto, materialize, region } from "../tiles.js";
import { asTile } from "./values.js";
import { sliceTile, type SliceItem } from "./views.js";

export type SpillWriteAttrs = { readonly file: string; readonly items: readonly SliceItem[] };
/** A piece: region `src .. src + shape` of the slice stored in `file` (of shape `stored`), to `dst` in the block. */
export type SpillPiece = { readonly file: string; readonly stored: readonly number[]; readonly src: readonly number[]; readonly dst: readonly number[]; readonly shape: readonly number[] };
export type SpillGatherAttrs = { readonly shape: readonly number[]; readonly dtype: DType; readonly pieces: readonly SpillPiece[] };

export function spillWriteKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const a = attrs as SpillWriteAttrs;
  const piece = sliceTile(asTile(inputs[0], "spill-write"), a.items, []);
  const c = isContiguous(piece) ? piece : materialize(piece, piece.dtype, ctx.alloc);
  const n = sizeOf(c.shape) * itemsize(c.dtype);
  writeFileSync(a.file, new Uint8Array(c.data.buffer, c.data.byteOffset + c.offset * itemsize(c.dtype), n));
  return emptyTile("uint8", [0]);
}

/** Reads all of `file` into `bytes` (it must have exactly that size). */
function readExactly(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size !== bytes.length) throw new Error(`spill-gather: ${file} has ${size} bytes, ${bytes.length} expected`);
    let off = 0;
    while (off < bytes.length) off += readSync(fd, bytes, off, bytes.length - off, off);
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
    readExactly(p.file, new Uint8Array(data.buffer, data.byteOffset, n * size));
    copyInto(region(out, p.dst, p.shape), region(contiguousTile(data, p.stored, a.dtype), p.src, p.shape));
  }
  return out;
}
