/**
 * reshape, dask's way: the dimensions of the old and new shapes are matched into groups of equal size
 * (scanning from the last axis); within a group, every axis but the first is made whole and the first
 * keeps blocks whose size is a multiple of what the group's inner axes need, so each new block is
 * exactly one old block reshaped. Only axes that must change are rechunked.
 */
import { TesseraError, blockShape, chunksEqual, show, sizeOf } from "@tessera/core";
import { LazyArray } from "./array.js";
import { blockwiseLayer } from "./layers.js";
import { rechunk } from "./rechunk.js";

export function resolveShape(newShape: readonly number[], size: number, from: readonly number[]): number[] {
  const unknown = newShape.filter((d) => d === -1).length;
  if (unknown > 1 || newShape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new TesseraError("ReshapeError", `reshape: shape ${show(newShape)} must hold non-negative integers and at most one -1`);
  }
  const known = newShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = newShape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (sizeOf(out) !== size || out.some((d) => !Number.isInteger(d))) {
    throw new TesseraError("ReshapeError", `reshape: cannot reshape an array of shape (${from.join(", ")}) (${size} elements) into shape (${newShape.join(", ")}); the new shape must hold ${size} elements`);
  }
  return out;
}

interface Group {
  readonly ins: number[];
  readonly outs: number[];
}

/**
 * Groups of old/new axes with equal products, scanning from the last axis. A size-1 axis that is met
 * alone forms a group of its own (with no partner), so adding or dropping unit axes never rechunks.
 */
function groups(a: readonly number[], b: readonly number[]): Group[] {
  const out: Group[] = [];
  let i = a.length - 1;
  let j = b.length - 1;
  while (i >= 0 || j >= 0) {
    const ins: number[] = [];
    const outs: number[] = [];
    let pa = 1;
    let pb = 1;
    const takeIn = (): void => {
      ins.unshift(i);
      pa *= a[i--]!;
    };
    const takeOut = (): void => {
      outs.unshift(j);
      pb *= b[j--]!;
    };
    if (i >= 0) takeIn();
    if (j >= 0) takeOut();
    while (pa !== pb) {
      if ((pa < pb && i >= 0) || j < 0) takeIn();
      else takeOut();
    }
    out.unshift({ ins, outs });
  }
  return out;
}

const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));

/** Old blocks of size `c`, rounded to multiples of `m` (kept where they already are). */
function roundTo(chunks: readonly number[], m: number, dim: number): number[] {
  if (m <= 1 || chunks.slice(0, -1).every((c) => c % m === 0)) return [...chunks];
  const target = Math.max(m, Math.round(Math.max(...chunks) / m) * m);
  const out: number[] = [];
  for (let o = 0; o < dim; o += target) out.push(Math.min(target, dim - o));
  return out.length ? out : [0];
}

export function reshape(x: LazyArray, shape: readonly number[]): LazyArray {
  const out = resolveShape(shape, x.size, x.shape);
  if (out.length === x.ndim && out.every((d, i) => d === x.shape[i])) return x;
  if (x.size === 0) return new LazyArray(...zeroSized(x, out));
  const gs = groups(x.shape, out);
  const inChunks = x.chunks.map((c) => [...c]);
  const outChunks: number[][] = out.map((d) => [d]);
  for (const g of gs) {
    const innerIn = g.ins.slice(1).reduce((acc, d) => acc * x.shape[d]!, 1);
    const innerOut = g.outs.slice(1).reduce((acc, d) => acc * out[d]!, 1);
    const first = g.ins[0];
    for (const d of g.ins.slice(1)) inChunks[d] = [x.shape[d]!];
    if (first === undefined) continue;
    const m = innerOut / gcd(innerOut, innerIn);
    inChunks[first] = roundTo(inChunks[first]!, m, x.shape[first]!);
    if (g.outs[0] !== undefined) outChunks[g.outs[0]] = inChunks[first]!.map((c) => (c * innerIn) / innerOut);
  }
  const y = chunksEqual(inChunks, x.chunks) ? x : rechunk(x, inChunks);
  // Output block index -> input block index: the first axes of each group correspond, others are 0.
  const pairs = gs.flatMap((g) => (g.ins[0] !== undefined && g.outs[0] !== undefined ? [[g.ins[0], g.outs[0]] as const] : []));
  const layer = blockwiseLayer({
    label: "reshape",
    op: "reshape",
    chunks: outChunks,
    dtype: x.dtype,
    inputs: [
      {
        layer: y.layer,
        map: (index) => {
          const inIdx = new Array<number>(x.ndim).fill(0);
          for (const [i, o] of pairs) inIdx[i] = index[o]!;
          return inIdx;
        },
      },
    ],
    attrs: (index) => ({ shape: blockShape(outChunks, index) }),
    token: out,
  });
  return new LazyArray(layer, out, x.dtype, outChunks);
}

function zeroSized(x: LazyArray, out: number[]): ConstructorParameters<typeof LazyArray> {
  const chunks = out.map((d) => [d]);
  const y = x.rechunk(x.shape.map(() => -1));
  const layer = blockwiseLayer({ label: "reshape", op: "reshape", chunks, dtype: x.dtype, inputs: [{ layer: y.layer, map: () => x.shape.map(() => 0) }], attrs: { shape: out }, token: out });
  return [layer, out, x.dtype, chunks];
}
