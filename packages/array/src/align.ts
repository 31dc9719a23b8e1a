/**
 * Chunk alignment for operations over several arrays (dask's unify_chunks): arrays are broadcast
 * against each other, and along every axis where more than one of them has the full length, they are
 * rechunked to the union of their block boundaries.
 */
import { chunksEqual, commonBlocks } from "@tessera/core";
import type { LazyArray } from "./array.js";
import { rechunk } from "./rechunk.js";

export interface Aligned {
  readonly arrays: LazyArray[];
  readonly chunks: number[][];
  /** For array k: the block of it that output block `index` reads. */
  readonly maps: ((index: readonly number[]) => number[])[];
}

export function align(arrays: readonly LazyArray[], shape: readonly number[]): Aligned {
  const nd = shape.length;
  const chunks = shape.map((dim, d) => {
    const cands = arrays.flatMap((a) => {
      const ad = d - (nd - a.ndim);
      return ad >= 0 && a.shape[ad] === dim ? [a.chunks[ad]!] : [];
    });
    return cands.length ? commonBlocks(cands) : [dim];
  });
  const out = arrays.map((a) => {
    const lead = nd - a.ndim;
    const target = a.chunks.map((c, ad) => (a.shape[ad] === shape[ad + lead] ? chunks[ad + lead]! : [...c]));
    return chunksEqual(target, a.chunks) ? a : rechunk(a, target);
  });
  const maps = out.map((a) => {
    const lead = nd - a.ndim;
    const full = a.shape.map((n, ad) => n === shape[ad + lead]);
    return (index: readonly number[]) => full.map((f, ad) => (f ? index[ad + lead]! : 0));
  });
  return { arrays: out, chunks, maps };
}
