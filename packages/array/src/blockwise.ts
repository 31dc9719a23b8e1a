/**
 * `mapBlocks` and `blockwise`: apply a function block by block. Built-in elementwise ops (by name)
 * become ordinary fused elementwise tasks; user functions run on the main thread, receive each block as
 * `{ data, shape, dtype }` plus the block's position, and must return the block the chunks promise.
 *
 * `blockwise(fn, "ik", x, "ij", y, "jk")` uses index notation: letters name axes, equal letters are
 * aligned, letters missing from the output are contracted: those axes are made one block, so the
 * function sees them whole (dask's `concatenate=True`).
 */
import { TesseraError, blockOffsets, blockShape, broadcastShapes, checkDType, commonBlocks, normalizeAxes, show, tokenize, type Chunks, type DType } from "@tessera/core";
import { isEwOp, type EwOp } from "@tessera/kernels";
import { LazyArray } from "./array.js";
import { align } from "./align.js";
import type { BlockInfo } from "./creation.js";
import { denseBlocks } from "./dense.js";
import { elementwise } from "./elementwise.js";
import { blockwiseLayer } from "./layers.js";
import { expandDims, transpose } from "./manipulation.js";
import { tileFromUser as toTile, type BlockValue } from "@tessera/core";
import { asDense, fnRef } from "./user.js";
import type { Attrs } from "@tessera/graph";

export type BlockFunction = (...args: never[]) => BlockValue;

/**
 * A function exported by an ES module (plain JS), named by its URL and export: unlike a closure it can
 * run in worker threads, and its key is deterministic. It is called as `fn(...blocks, info)`.
 */
export interface ModuleFunction {
  readonly module: string | URL;
  readonly export: string;
}

const isModuleFunction = (f: unknown): f is ModuleFunction =>
  typeof f === "object" && f !== null && "module" in f && "export" in f && typeof (f as ModuleFunction).export === "string";
type UserBlockFn = (...args: unknown[]) => BlockValue;

export interface MapBlocksOptions {
  /** dtype of the result (default: the first array's). */
  readonly dtype?: DType;
  /** Output chunks when the function changes block shapes: per axis, a block size or explicit sizes. */
  readonly chunks?: readonly (number | readonly number[])[];
  /** Axes the function removes (made one block first). */
  readonly dropAxis?: number | readonly number[];
  /** Axes the function adds (size 1 unless `chunks` says otherwise). */
  readonly newAxis?: number | readonly number[];
  /** Names the function in keys (defaults to its identity within this process). */
  readonly token?: string;
}

/** Builds the call layer for a user function over aligned, dense inputs. */
function callLayer(label: string, fn: UserBlockFn | ModuleFunction, inputs: readonly LazyArray[], maps: readonly ((i: readonly number[]) => readonly number[])[], chunks: Chunks, dtype: DType, token: string | undefined): LazyArray {
  // The constant captures fn, dtype and the label: its name hashes all that the closure depends on.
  const offsets = chunks.map(blockOffsets);
  const shape = chunks.map((c) => c.reduce((a, b) => a + b, 0));
  if (isModuleFunction(fn)) {
    const module = fn.module instanceof URL ? fn.module.href : fn.module;
    const layer = blockwiseLayer({
      label,
      op: "call-module",
      chunks,
      dtype,
      inputs: inputs.map((a, k) => ({ layer: denseBlocks(a), map: maps[k]! })),
      attrs: (index) => ({ module, export: fn.export, index: [...index], starts: index.map((b, d) => offsets[d]![b]!), shape: blockShape(chunks, index), dtype }),
      token: [module, fn.export],
    });
    return new LazyArray(layer, shape, dtype, chunks);
  }
  const ref = `${fnRef(fn, token, label)}-${tokenize(label, dtype, chunks, inputs.map((a) => a.name))}`;
  const call = (vals: readonly unknown[], attrs: Attrs): unknown => {
    const info: BlockInfo = { blockIndex: attrs["index"] as number[], offset: attrs["starts"] as number[], shape: attrs["shape"] as number[] };
    const where = `${label} block [${info.blockIndex.join(", ")}]`;
    return toTile(fn(...vals.map(asDense), info), info.shape, dtype, where);
  };
  const layer = blockwiseLayer({
    label,
    op: "call",
    chunks,
    dtype,
    inputs: inputs.map((a, k) => ({ layer: denseBlocks(a), map: maps[k]! })),
    attrs: (index) => ({ ref, index: [...index], starts: index.map((b, d) => offsets[d]![b]!), shape: blockShape(chunks, index) }),
    token: ref,
    placement: "main",
    constants: new Map([[ref, call]]),
  });
  return new LazyArray(layer, shape, dtype, chunks);
}

/** Applies `fn` to every block (of the arrays aligned against each other). */
export function mapBlocks(fn: EwOp | BlockFunction | ModuleFunction, arrays: LazyArray | readonly LazyArray[], options: MapBlocksOptions = {}): LazyArray {
  const list = arrays instanceof LazyArray ? [arrays] : [...arrays];
  if (list.length === 0) throw new TesseraError("ValueError", "mapBlocks: needs at least one array");
  if (typeof fn === "string") {
    if (!isEwOp(fn)) throw new TesseraError("ValueError", `mapBlocks: ${show(fn)} is not a built-in elementwise op; pass a function instead`);
    return elementwise(fn, list);
  }
  const dtype = options.dtype !== undefined ? checkDType(options.dtype, "mapBlocks(dtype)") : list[0]!.dtype;
  const shape = broadcastShapes(list.map((a) => a.shape), "mapBlocks");
  const drop = options.dropAxis === undefined ? [] : normalizeAxes(options.dropAxis, shape.length, "mapBlocks(dropAxis)");
  // Dropped axes are seen whole by the function.
  const whole = list.map((a) => (drop.length ? a.rechunk(a.shape.map((_, ad) => (drop.includes(ad + shape.length - a.ndim) ? -1 : null))) : a));
  const al = align(whole, shape);
  let chunks: number[][] = al.chunks.filter((_, d) => !drop.includes(d));
  const keptAxes = shape.map((_, d) => d).filter((d) => !drop.includes(d));
  let outToIn = keptAxes;
  if (options.newAxis !== undefined) {
    const nd = chunks.length + (typeof options.newAxis === "number" ? 1 : options.newAxis.length);
    const added = normalizeAxes(options.newAxis, nd, "mapBlocks(newAxis)");
    const c: number[][] = [];
    const map: number[] = [];
    let k = 0;
    for (let d = 0; d < nd; d++) {
      if (added.includes(d)) {
        c.push([1]);
        map.push(-1);
      } else {
        c.push(chunks[k]!);
        map.push(outToIn[k++]!);
      }
    }
    chunks = c;
    outToIn = map;
  }
  if (options.chunks) chunks = explicitChunks(options.chunks, chunks);
  const maps = al.maps.map((m) => (index: readonly number[]) => {
    const full = shape.map(() => 0);
    outToIn.forEach((src, d) => {
      if (src >= 0) full[src] = index[d]!;
    });
    return m(full);
  });
  return callLayer("map-blocks", isModuleFunction(fn) ? fn : (fn as UserBlockFn), al.arrays, maps, chunks, dtype, options.token);
}

function explicitChunks(spec: readonly (number | readonly number[])[], base: readonly number[][]): number[][] {
  if (spec.length !== base.length) throw new TesseraError("ChunkSpecError", `mapBlocks(chunks): ${show(spec)} has ${spec.length} entries but the result has ${base.length} axes`);
  return spec.map((s, d) => {
    const n = base[d]!.length;
    const c = typeof s === "number" ? new Array<number>(n).fill(s) : [...s];
    if (c.length !== n || c.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new TesseraError("ChunkSpecError", `mapBlocks(chunks): axis ${d} needs ${n} non-negative block sizes (one per block), got ${show(s)}`);
    }
    return c;
  });
}

export interface BlockwiseOptions {
  readonly dtype?: DType;
  /** Sizes of output letters that no input has. */
  readonly newAxes?: { readonly [letter: string]: number };
  readonly token?: string;
}

type BlockwiseArg = LazyArray | string | BlockwiseOptions;

/** Index-notation blockwise: `blockwise(fn, "ij", x, "ij", y, "j")`, options last. */
export function blockwise(fn: EwOp | BlockFunction | ModuleFunction, outIndex: string, ...rest: BlockwiseArg[]): LazyArray {
  const last = rest[rest.length - 1];
  const options: BlockwiseOptions = last !== undefined && !(last instanceof LazyArray) && typeof last === "object" ? (rest.pop() as BlockwiseOptions) : {};
  if (rest.length === 0 || rest.length % 2 !== 0) throw new TesseraError("ValueError", `blockwise: expected pairs of (array, index string) after the output index, got ${rest.length} arguments`);
  const pairs: [LazyArray, string][] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const a = rest[i];
    const ix = rest[i + 1];
    if (!(a instanceof LazyArray) || typeof ix !== "string" || ix.length !== a.ndim) {
      throw new TesseraError("ValueError", `blockwise: argument pair ${i / 2} must be (array, index string with one letter per axis); got ${show(ix)} for an array of ${a instanceof LazyArray ? a.ndim : "?"} dimensions`);
    }
    pairs.push([a, ix]);
  }
  const sizes = new Map<string, number>();
  const chunkSets = new Map<string, number[][]>();
  for (const [a, ix] of pairs) {
    [...ix].forEach((l, d) => {
      const n = a.shape[d]!;
      const prev = sizes.get(l);
      if (prev !== undefined && prev !== n) throw new TesseraError("ShapeMismatch", `blockwise: index ${l} has size ${prev} in one array and ${n} in another`);
      sizes.set(l, n);
      chunkSets.set(l, [...(chunkSets.get(l) ?? []), [...a.chunks[d]!]]);
    });
  }
  const contracted = [...sizes.keys()].filter((l) => !outIndex.includes(l));
  if (typeof fn === "string") {
    if (!isEwOp(fn) || contracted.length) throw new TesseraError("ValueError", `blockwise: built-in op ${show(fn)} must be elementwise with no contracted index (contracted: ${contracted.join("") || "none"}); pass a function`);
    return elementwise(fn, pairs.map(([a, ix]) => toOutOrder(a, ix, outIndex)));
  }
  const letterChunks = new Map([...chunkSets].map(([l, cs]) => [l, contracted.includes(l) ? [sizes.get(l)!] : commonBlocks(cs)]));
  const inputs = pairs.map(([a, ix]) => a.rechunk([...ix].map((l) => letterChunks.get(l)!)));
  const chunks = [...outIndex].map((l) => {
    const c = letterChunks.get(l);
    if (c) return c;
    const n = options.newAxes?.[l];
    if (n === undefined) throw new TesseraError("ValueError", `blockwise: output index ${l} is in no input; give its size in options.newAxes`);
    return [n];
  });
  const maps = pairs.map(([, ix]) => (index: readonly number[]) => [...ix].map((l) => (outIndex.includes(l) ? index[outIndex.indexOf(l)]! : 0)));
  const dtype = options.dtype ?? pairs[0]![0].dtype;
  return callLayer("blockwise", isModuleFunction(fn) ? fn : (fn as UserBlockFn), inputs, maps, chunks, dtype, options.token);
}

/** An array with index `ix` as an operand in output order `out` (transposed, unit axes for missing letters). */
function toOutOrder(a: LazyArray, ix: string, out: string): LazyArray {
  const present = [...out].filter((l) => ix.includes(l));
  const t = transpose(a, present.map((l) => ix.indexOf(l)));
  const missing = [...out].flatMap((l, d) => (ix.includes(l) ? [] : [d]));
  return missing.length ? expandDims(t, missing) : t;
}
