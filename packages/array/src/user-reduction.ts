/**
 * `reduction(x, { chunk, combine, aggregate })`: user reductions in dask's shape. `chunk` maps each
 * block to a partial that keeps the reduced axes as size 1; partials are concatenated along the reduced
 * axes, `splitEvery` at a time, and passed to `combine` (which must again keep them as size 1); the
 * last concatenation goes to `aggregate`, which gives the result block (reduced axes dropped unless
 * `keepdims`). All three run on the main thread.
 */
import { TesseraError, blockShape, checkDType, normalizeAxes, show, tokenize, type DType, type Dense } from "@tessera/core";
import { keyOf, makeLayer, type Attrs, type Key, type Layer } from "@tessera/graph";
import { LazyArray } from "./array.js";
import { denseBlocks } from "./dense.js";
import { blockwiseLayer, layerName, same } from "./layers.js";
import type { BlockValue } from "@tessera/core";
import { asDense, fnRef, looseTile } from "./user.js";

export interface ReductionContext {
  /** The reduced axes (of the block's dimensions). */
  readonly axis: readonly number[];
  readonly keepdims: boolean;
}

export type ReductionFn = (block: Dense, ctx: ReductionContext) => BlockValue;

export interface ReductionOptions {
  readonly chunk: ReductionFn;
  readonly aggregate: ReductionFn;
  /** Defaults to `aggregate` called with keepdims: true. */
  readonly combine?: ReductionFn;
  readonly axis?: number | readonly number[] | null;
  readonly keepdims?: boolean;
  /** dtype of the result. */
  readonly dtype: DType;
  /** How many partials one combine merges along each reduced axis (default 4). */
  readonly splitEvery?: number;
  readonly token?: string;
}

export function reduction(x: LazyArray, options: ReductionOptions): LazyArray {
  const axes = normalizeAxes(options.axis, x.ndim, "reduction(axis)");
  const keepdims = options.keepdims ?? false;
  const dtype = checkDType(options.dtype, "reduction(dtype)");
  const split = options.splitEvery ?? 4;
  if (!Number.isInteger(split) || split < 2) throw new TesseraError("ValueError", `reduction(splitEvery): ${show(split)} must be an integer >= 2`);
  const combine = options.combine ?? options.aggregate;
  // One ref per role: the same function may serve as combine and aggregate with different keepdims.
  // Each wrapper captures its function, the axes and keepdims: its name hashes all of them.
  const ctx = tokenize(axes, keepdims, dtype);
  const refs = {
    chunk: `${fnRef(options.chunk, options.token, "reduction(chunk)")}:chunk:${ctx}`,
    combine: `${fnRef(combine, options.token, "reduction(combine)")}:combine:${ctx}`,
    aggregate: `${fnRef(options.aggregate, options.token, "reduction(aggregate)")}:aggregate:${ctx}`,
  };
  const partialChunks = x.chunks.map((c, d) => (axes.includes(d) ? c.map(() => 1) : [...c]));
  const wrap = (fn: ReductionFn, kd: boolean, name: string) => (inputs: readonly unknown[], attrs: Attrs): unknown =>
    looseTile(fn(asDense(inputs[0]), { axis: axes, keepdims: kd }), attrs["shape"] as number[], `reduction ${name} block [${(attrs["index"] as number[]).join(", ")}]`);
  const constants = new Map<string, unknown>([
    [refs.chunk, wrap(options.chunk, true, "chunk")],
    [refs.combine, wrap(combine, true, "combine")],
    [refs.aggregate, wrap(options.aggregate, keepdims, "aggregate")],
  ]);
  const call = (label: string, ref: string, input: Layer, chunks: number[][], outChunks: number[][] = chunks, map = same): Layer =>
    blockwiseLayer({ label, op: "call", chunks: outChunks, dtype, inputs: [{ layer: input, map }], attrs: (index) => ({ ref, index: [...index], shape: blockShape(chunks, index) }), token: ref, placement: "main", constants });
  let layer = call("reduction-chunk", refs.chunk, denseBlocks(x), partialChunks);
  let nb = partialChunks.map((c) => c.length);
  const fan = (d: number): number => (axes.includes(d) ? split : 1);
  while (axes.some((a) => nb[a]! > split)) {
    const concat = concatLevel(layer, nb, partialChunks, fan);
    nb = concat.numblocks;
    layer = call("reduction-combine", refs.combine, concat.layer, partialChunks.map((c, d) => (axes.includes(d) ? new Array<number>(nb[d]!).fill(1) : c)));
  }
  const final = concatLevel(layer, nb, partialChunks, (d) => (axes.includes(d) ? nb[d]! : 1));
  const outChunks = x.chunks.flatMap((c, d) => (axes.includes(d) ? (keepdims ? [[1]] : []) : [[...c]]));
  const blockChunks = x.chunks.map((c, d) => (axes.includes(d) ? [1] : [...c]));
  const expectShape = (index: readonly number[]): number[] => blockShape(blockChunks, expand(index)).filter((_, d) => keepdims || !axes.includes(d));
  const expand = (index: readonly number[]): number[] => {
    if (keepdims) return [...index];
    let k = 0;
    return x.shape.map((_, d) => (axes.includes(d) ? 0 : index[k++]!));
  };
  const agg = blockwiseLayer({
    label: "reduction",
    op: "call",
    chunks: outChunks,
    dtype,
    inputs: [{ layer: final.layer, map: expand }],
    attrs: (index) => ({ ref: refs.aggregate, index: [...index], shape: expectShape(index) }),
    token: [refs.aggregate, keepdims],
    placement: "main",
    constants,
  });
  const outShape = x.shape.flatMap((n, d) => (axes.includes(d) ? (keepdims ? [1] : []) : [n]));
  return new LazyArray(agg, outShape, dtype, outChunks);
}

/** Concatenates groups of `fan(d)` partial blocks along each axis (size-1 partials on reduced axes). */
function concatLevel(prev: Layer, numblocks: readonly number[], partialChunks: readonly number[][], fan: (d: number) => number): { layer: Layer; numblocks: number[] } {
  const nb = numblocks.map((n, d) => Math.ceil(n / fan(d)));
  const layer = makeLayer({
    name: layerName("reduction-concat", prev.name, nb),
    numblocks: nb,
    deps: [prev],
    task: (index) => {
      const args: Key[] = [];
      const pieces: { arg: number; src: number[]; dst: number[]; shape: number[] }[] = [];
      const shape = index.map((b, d) => (fan(d) > 1 ? Math.min(fan(d), numblocks[d]! - b * fan(d)) : partialChunks[d]![b]!));
      const walk = (d: number, idx: number[], dst: number[]): void => {
        if (d === index.length) {
          const pshape = idx.map((b, e) => (fan(e) > 1 ? 1 : partialChunks[e]![b]!));
          pieces.push({ arg: args.length, src: pshape.map(() => 0), dst, shape: pshape });
          args.push(keyOf(prev.name, idx));
          return;
        }
        const f = fan(d);
        const b = index[d]!;
        if (f === 1) walk(d + 1, [...idx, b], [...dst, 0]);
        else for (let k = b * f; k < Math.min((b + 1) * f, numblocks[d]!); k++) walk(d + 1, [...idx, k], [...dst, k - b * f]);
      };
      walk(0, [], []);
      return { op: "assemble", args, attrs: { shape, dtype: null, dense: true, pieces }, placement: "cpu", nbytes: 0 };
    },
  });
  return { layer, numblocks: nb };
}
