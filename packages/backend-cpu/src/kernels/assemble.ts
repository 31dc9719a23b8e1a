/** Gather kernels: assembling a block from pieces of other blocks (rechunk, concatenate), and `take`. */
import { bufferId, contiguousTile, freshAllocator, isCompact, isTile, sizeOf, type Allocator, type DType, type Tile } from "@tessera/core";
import type { KernelContext } from "@tessera/kernels";
import type { Attrs } from "@tessera/graph";
import { copyInto, region } from "../tiles.js";
import { asTile } from "./values.js";

/** A piece: region `[start, start + shape)` of input `arg`, copied to `dst` in the new block. */
export type Piece = { readonly arg: number; readonly src: readonly number[]; readonly dst: readonly number[]; readonly shape: readonly number[] };
/** `dense`: the result goes to users, so it must be compact and share no buffer with a graph constant. */
export type AssembleAttrs = { readonly shape: readonly number[]; readonly pieces: readonly Piece[]; readonly dense?: boolean } & { readonly dtype: DType | null };

/** dtype null: the first input's dtype (user partials, whose dtype is known only at run time). */
export function assembleTiles(tiles: readonly Tile[], a: AssembleAttrs, alloc: Allocator = freshAllocator): Tile {
  const dtype = a.dtype ?? tiles[0]!.dtype;
  // Pieces cover the block (rechunk, concatenate): every element is written.
  const out = contiguousTile(alloc.alloc(dtype, sizeOf(a.shape)), a.shape, dtype);
  for (const p of a.pieces) copyInto(region(out, p.dst, p.shape), region(tiles[p.arg]!, p.src, p.shape));
  return out;
}

const sharesBuffer = (t: Tile, ctx: KernelContext): boolean => {
  for (const c of ctx.constants.values()) if (isTile(c) && c.data.buffer === t.data.buffer) return true;
  return false;
};

export function assembleKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const a = attrs as AssembleAttrs;
  // One piece that is a whole input of the same dtype: pass it through (a rechunk that keeps the block).
  const only = a.pieces.length === 1 ? a.pieces[0]! : undefined;
  if (only) {
    const t = asTile(inputs[only.arg], "assemble");
    const whole = (a.dtype === null || t.dtype === a.dtype) && only.src.every((s) => s === 0) && t.shape.every((n, d) => n === only.shape[d]);
    // A dense result is the user's: never memory of a graph constant, never pooled memory (which the engine reuses).
    if (whole && (!a.dense || (isCompact(t) && !sharesBuffer(t, ctx) && bufferId(t.data.buffer) === undefined))) return t;
  }
  return assembleTiles(
    inputs.map((v) => asTile(v, "assemble")),
    a,
    a.dense ? freshAllocator : ctx.alloc,
  );
}

/** take: output position i along `axis` copies position picks[i][1] of input picks[i][0]. */
export type TakeAttrs = { readonly axis: number; readonly shape: readonly number[]; readonly dtype: DType; readonly picks: readonly (readonly [number, number])[] };

export function takeKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const a = attrs as TakeAttrs;
  const out = contiguousTile(ctx.alloc.alloc(a.dtype, sizeOf(a.shape)), a.shape, a.dtype);
  const tiles = inputs.map((v) => asTile(v, "take"));
  const sliceShape = a.shape.map((n, d) => (d === a.axis ? 1 : n));
  const zeros = a.shape.map(() => 0);
  a.picks.forEach(([arg, pos], i) => {
    const src = zeros.map((_, d) => (d === a.axis ? pos : 0));
    const dst = zeros.map((_, d) => (d === a.axis ? i : 0));
    copyInto(region(out, dst, sliceShape), region(tiles[arg]!, src, sliceShape));
  });
  return out;
}
