/** Gather kernels: assembling a block from pieces of other blocks (rechunk, concatenate), and `take`. */
import { emptyTile, type DType, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import { copyInto, region } from "../tiles.js";
import { asTile } from "./values.js";

/** A piece: region `[start, start + shape)` of input `arg`, copied to `dst` in the new block. */
export type Piece = { readonly arg: number; readonly src: readonly number[]; readonly dst: readonly number[]; readonly shape: readonly number[] };
export type AssembleAttrs = { readonly shape: readonly number[]; readonly dtype: DType; readonly pieces: readonly Piece[] };

export function assembleTiles(tiles: readonly Tile[], a: AssembleAttrs): Tile {
  const out = emptyTile(a.dtype, a.shape);
  for (const p of a.pieces) copyInto(region(out, p.dst, p.shape), region(tiles[p.arg]!, p.src, p.shape));
  return out;
}

export function assembleKernel(inputs: readonly unknown[], attrs: Attrs): Tile {
  const a = attrs as AssembleAttrs;
  // One piece that is a whole input of the same dtype: pass it through (a rechunk that keeps the block).
  const only = a.pieces.length === 1 ? a.pieces[0]! : undefined;
  if (only) {
    const t = asTile(inputs[only.arg], "assemble");
    if (t.dtype === a.dtype && only.src.every((s) => s === 0) && t.shape.every((n, d) => n === only.shape[d])) return t;
  }
  return assembleTiles(inputs.map((v) => asTile(v, "assemble")), a);
}

/** take: output position i along `axis` copies position picks[i][1] of input picks[i][0]. */
export type TakeAttrs = { readonly axis: number; readonly shape: readonly number[]; readonly dtype: DType; readonly picks: readonly (readonly [number, number])[] };

export function takeKernel(inputs: readonly unknown[], attrs: Attrs): Tile {
  const a = attrs as TakeAttrs;
  const out = emptyTile(a.dtype, a.shape);
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
