/**
 * Creating lazy arrays: from in-memory data (`asarray`), constant fills, ranges, identity matrices,
 * counter-based random values (the same values whatever the chunking), and block functions.
 */
import {
  TesseraError,
  allocate,
  blockOffsets,
  blockShape,
  checkDType,
  checkShape,
  contiguousTile,
  dtypeOfTypedArray,

  normalizeChunks,
  show,
  sizeOf,
  tokenize,
  type ChunkSpec,
  type DType,
  type Dense,
  type Tile,
  type TypedArray,
} from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import { LazyArray } from "./array.js";
import { blockwiseLayer } from "./layers.js";
import { tileFromUser as toTile, type BlockValue } from "@tessera/core";

export interface CreateOptions {
  readonly dtype?: DType;
  readonly chunks?: ChunkSpec;
}

/** Nested JS arrays of numbers or booleans. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** A source layer: each block's task takes no inputs and its attrs come from `attrs(index, starts, shape)`. */
function source(label: string, op: string, shape: readonly number[], dtype: DType, chunkSpec: ChunkSpec, token: unknown, attrs: (index: readonly number[], starts: number[], shape: number[]) => Attrs, constants?: Map<string, unknown>): LazyArray {
  const chunks = normalizeChunks(chunkSpec, shape, dtype);
  const offsets = chunks.map(blockOffsets);
  const layer = blockwiseLayer({
    label,
    op,
    chunks,
    dtype,
    inputs: [],
    attrs: (index) => attrs(index, index.map((b, d) => offsets[d]![b]!), blockShape(chunks, index)),
    token,
    placement: op === "call" ? "main" : "cpu",
    ...(constants ? { constants } : {}),
  });
  return new LazyArray(layer, shape, dtype, chunks);
}

/** Shape and flat values of nested JS arrays (rectangular, else a ShapeMismatch naming where). */
function flattenNested(v: NestedArray): { shape: number[]; values: (number | boolean)[] } {
  const shape: number[] = [];
  for (let cur: NestedArray = v; Array.isArray(cur); cur = (cur as readonly NestedArray[])[0]!) shape.push((cur as readonly NestedArray[]).length);
  const values: (number | boolean)[] = [];
  const walk = (x: NestedArray, d: number, path: number[]): void => {
    if (d === shape.length) {
      if (Array.isArray(x)) throw new TesseraError("ShapeMismatch", `asarray: nested input is ragged at [${path.join(", ")}]: expected a scalar, found an array`);
      if (typeof x !== "number" && typeof x !== "boolean") throw new TesseraError("DTypeError", `asarray: element at [${path.join(", ")}] is ${show(x)}; only numbers and booleans are supported`);
      values.push(x as number | boolean);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) {
      throw new TesseraError("ShapeMismatch", `asarray: nested input is ragged at [${path.join(", ")}]: expected ${shape[d]} elements, found ${Array.isArray(x) ? x.length : "a scalar"}`);
    }
    x.forEach((y: NestedArray, i: number) => walk(y, d + 1, [...path, i]));
  };
  walk(v, 0, []);
  return { shape, values };
}

function tileFromInput(input: TypedArray | Dense | NestedArray, options: CreateOptions & { shape?: readonly number[] }): Tile {
  if (ArrayBuffer.isView(input)) {
    const data = input as TypedArray;
    const shape = options.shape ? checkShape(options.shape, "asarray(shape)") : [data.length];
    if (sizeOf(shape) !== data.length) throw new TesseraError("ShapeMismatch", `asarray: shape (${shape.join(", ")}) holds ${sizeOf(shape)} elements but the data has ${data.length}`);
    const dtype = options.dtype ?? dtypeOfTypedArray(data);
    return toTile(data, shape, dtype, "asarray");
  }
  if (typeof input === "object" && input !== null && !Array.isArray(input) && "data" in input) {
    const d = input as Dense;
    return toTile(d.data, d.shape, d.dtype ?? dtypeOfTypedArray(d.data), "asarray");
  }
  const { shape, values } = flattenNested(input as NestedArray);
  // JS numbers are doubles: nested numbers give float64 (booleans give bool) unless a dtype is named.
  const dtype = options.dtype ?? (values.length > 0 && values.every((x) => typeof x === "boolean") ? "bool" : "float64");
  const tile = toTile(new Float64Array(values.map(Number)), shape, "float64", "asarray");
  return dtype === "float64" ? tile : castTile(tile, dtype);
}

function castTile(t: Tile, dtype: DType): Tile {
  const v = t.data as Float64Array;
  const out = allocate(dtype, v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = Number.isFinite(x) ? BigInt(Math.trunc(x)) : 0n;
    else out[i] = dtype === "bool" ? (x !== 0 ? 1 : 0) : x;
  }
  return contiguousTile(out, t.shape, dtype);
}

/**
 * A lazy array over in-memory data: a typed array (1-d, or `shape` given), a `{ data, shape, dtype }`
 * result, nested JS arrays, or a scalar. Typed data is not copied: do not change it while arrays use it.
 */
export function asarray(input: LazyArray | TypedArray | Dense | NestedArray, options: CreateOptions & { shape?: readonly number[] } = {}): LazyArray {
  if (input instanceof LazyArray) {
    const y = options.dtype ? input.astype(options.dtype) : input;
    return options.chunks !== undefined ? y.rechunk(options.chunks) : y;
  }
  if (options.dtype !== undefined) checkDType(options.dtype, "asarray(dtype)");
  const tile = tileFromInput(input, options);
  const ref = `const-${tokenize(tile.data, tile.shape, tile.dtype)}`;
  return source("asarray", "const", tile.shape, tile.dtype, options.chunks ?? "auto", ref, (_i, starts, shape) => ({ ref, starts, shape }), new Map([[ref, tile]]));
}

/** An array of `shape` filled with `value` (dtype float64 unless named; booleans give bool). */
export function full(shape: number | readonly number[], value: number | boolean, options: CreateOptions = {}): LazyArray {
  const s = checkShape(shape, "full(shape)");
  const dtype = options.dtype !== undefined ? checkDType(options.dtype, "full(dtype)") : typeof value === "boolean" ? "bool" : "float64";
  const v = Number(value);
  return source("full", "fill", s, dtype, options.chunks ?? "auto", v, (_i, _s, shp) => ({ shape: shp, dtype, value: v }));
}

export const zeros = (shape: number | readonly number[], options: CreateOptions = {}): LazyArray => full(shape, 0, options);
export const ones = (shape: number | readonly number[], options: CreateOptions = {}): LazyArray => full(shape, 1, options);
/** Like NumPy's empty, but zero-filled: uninitialised memory is never handed out. */
export const empty = zeros;

const likeOpts = (x: LazyArray, o: CreateOptions): CreateOptions => ({ dtype: o.dtype ?? x.dtype, chunks: o.chunks ?? x.chunks });
export const zerosLike = (x: LazyArray, o: CreateOptions = {}): LazyArray => full(x.shape, 0, likeOpts(x, o));
export const onesLike = (x: LazyArray, o: CreateOptions = {}): LazyArray => full(x.shape, 1, likeOpts(x, o));
export const fullLike = (x: LazyArray, value: number | boolean, o: CreateOptions = {}): LazyArray => full(x.shape, value, likeOpts(x, o));

/**
 * numpy.arange: `arange(stop)`, `arange(start, stop, step?)`. Integral arguments give int64 (NumPy's
 * default integer), others float64.
 */
export function arange(start: number, stop?: number, step = 1, options: CreateOptions = {}): LazyArray {
  const [a, b] = stop === undefined ? [0, start] : [start, stop];
  if (![a, b, step].every(Number.isFinite) || step === 0) {
    throw new TesseraError("ValueError", `arange: start ${show(a)}, stop ${show(b)} and step ${show(step)} must be finite numbers, step non-zero`);
  }
  const n = Math.max(0, Math.ceil((b - a) / step));
  const dtype = options.dtype ?? ([a, b, step].every(Number.isInteger) ? "int64" : "float64");
  checkDType(dtype, "arange(dtype)");
  return source("arange", "arange", [n], dtype, options.chunks ?? "auto", [a, step], (_i, starts, shp) => ({ start: a, step, offset: starts[0]!, n: shp[0]!, dtype }));
}

/** numpy.linspace(start, stop, num = 50, endpoint = true). */
export function linspace(start: number, stop: number, num = 50, options: CreateOptions & { endpoint?: boolean } = {}): LazyArray {
  if (!Number.isInteger(num) || num < 0) throw new TesseraError("ValueError", `linspace: num ${show(num)} must be a non-negative integer`);
  const endpoint = options.endpoint ?? true;
  const dtype = options.dtype ?? "float64";
  return source("linspace", "linspace", [num], dtype, options.chunks ?? "auto", [start, stop, endpoint], (_i, starts, shp) => ({ start, stop, num, endpoint, offset: starts[0]!, n: shp[0]!, dtype }));
}

/** numpy.eye(N, M = N, k = 0): ones on the k-th diagonal. */
export function eye(n: number, m: number = n, options: CreateOptions & { k?: number } = {}): LazyArray {
  const s = checkShape([n, m], "eye(N, M)");
  const k = options.k ?? 0;
  const dtype = options.dtype ?? "float64";
  return source("eye", "eye", s, dtype, options.chunks ?? "auto", k, (_i, starts, shp) => ({ shape: shp, offset: starts, k, dtype }));
}

export interface RandomOptions extends CreateOptions {
  /** The seed (an integer); equal seeds give equal values whatever the chunking. Default 0. */
  readonly seed?: number;
}

function randomArray(dist: "uniform" | "normal" | "integers", shape: number | readonly number[], a: number, b: number, options: RandomOptions, defaultDtype: DType): LazyArray {
  const s = checkShape(shape, `random.${dist}(shape)`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new TesseraError("ValueError", `random.${dist}: seed ${show(seed)} must be an integer`);
  const dtype = options.dtype ?? defaultDtype;
  return source(`random-${dist}`, "random", s, dtype, options.chunks ?? "auto", [seed, a, b], (_i, starts, shp) => ({ dist, seed: seed | 0, a, b, shape: shp, fullShape: s, starts, dtype }));
}

/** Seeded, counter-based random arrays (uniform, normal, integers). */
export const random = {
  /** Uniform on [low, high). */
  uniform: (shape: number | readonly number[], options: RandomOptions & { low?: number; high?: number } = {}): LazyArray =>
    randomArray("uniform", shape, options.low ?? 0, options.high ?? 1, options, "float64"),
  /** Normal with mean `loc` and standard deviation `scale`. */
  normal: (shape: number | readonly number[], options: RandomOptions & { loc?: number; scale?: number } = {}): LazyArray =>
    randomArray("normal", shape, options.loc ?? 0, options.scale ?? 1, options, "float64"),
  /** Integers in [low, high). */
  integers: (low: number, high: number, shape: number | readonly number[], options: RandomOptions = {}): LazyArray => {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new TesseraError("ValueError", `random.integers: low ${show(low)} and high ${show(high)} must be integers with low < high`);
    return randomArray("integers", shape, low, high, options, "int32");
  },
};

export interface BlockInfo {
  /** The block's index in the block grid. */
  readonly blockIndex: readonly number[];
  /** Start offset of the block along each axis. */
  readonly offset: readonly number[];
  /** The block's shape. */
  readonly shape: readonly number[];
}

/** Creates an array from a function of each block (runs on the main thread). */
export function fromFunction(fn: (info: BlockInfo) => BlockValue, options: { shape: readonly number[]; dtype: DType; chunks?: ChunkSpec; token?: string }): LazyArray {
  if (typeof fn !== "function") throw new TesseraError("ValueError", `fromFunction: fn ${show(fn)} must be a function of the block info`);
  const shape = checkShape(options.shape, "fromFunction(shape)");
  const dtype = checkDType(options.dtype, "fromFunction(dtype)");
  const ref = `fn-${tokenize(options.token ?? fn, shape, dtype)}`;
  const call = (_inputs: readonly unknown[], attrs: Attrs): Tile => {
    const info = { blockIndex: attrs["index"] as number[], offset: attrs["starts"] as number[], shape: attrs["shape"] as number[] };
    return toTile(fn(info), info.shape, dtype, `fromFunction block [${info.blockIndex.join(", ")}]`);
  };
  return source("fromFunction", "call", shape, dtype, options.chunks ?? "auto", ref, (index, starts, shp) => ({ ref, index: [...index], starts, shape: shp }), new Map([[ref, call]]));
}

