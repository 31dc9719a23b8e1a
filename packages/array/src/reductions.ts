/**
 * Reductions as dask builds them: a per-block `reduce-chunk` (partials keep the reduced axes as size
 * 1), a tree of `reduce-combine` steps that merges `splitEvery` partials at a time along the reduced
 * axes, and a `reduce-aggregate` that finishes (mean = sum / count, var from merged central moments,
 * casting to NumPy's result dtype, dropping axes unless `keepdims`). Accumulation is float64 throughout.
 */
import { TesseraError, blockOffsets, blockShape, isFloat, kindOf, normalizeAxes, show, type DType } from "@tessera/core";
import { keyOf, makeLayer, type Attrs, type Key, type Layer } from "@tessera/graph";
import { LazyArray } from "./array.js";
import { blockwiseLayer, layerName, same } from "./layers.js";

export type ReduceKind =
  | "sum" | "nansum" | "prod" | "nanprod" | "min" | "max" | "nanmin" | "nanmax" | "any" | "all"
  | "mean" | "nanmean" | "var" | "nanvar" | "std" | "nanstd" | "argmin" | "argmax";

export interface ReduceOptions {
  /** Axis or axes to reduce; all when omitted or null. */
  readonly axis?: number | readonly number[] | null;
  readonly keepdims?: boolean;
  /** Fan-in of the combine tree: one number for the total, or per axis (default 16 in total). */
  readonly splitEvery?: number | { readonly [axis: number]: number };
  /** Result dtype (sum, prod, mean and their nan-variants). */
  readonly dtype?: DType;
}

export interface VarOptions extends ReduceOptions {
  /** Delta degrees of freedom: the divisor is N - ddof. */
  readonly ddof?: number;
}

/** NumPy's result dtype of a reduction. */
export function reduceDtype(kind: ReduceKind, d: DType): DType {
  switch (kind) {
    case "sum":
    case "nansum":
    case "prod":
    case "nanprod":
      return kindOf(d) === "u" ? "uint64" : isFloat(d) ? d : "int64";
    case "mean":
    case "nanmean":
    case "var":
    case "nanvar":
    case "std":
    case "nanstd":
      return isFloat(d) ? d : "float64";
    case "any":
    case "all":
      return "bool";
    case "argmin":
    case "argmax":
      return "int64";
    default:
      return d;
  }
}

/** Per reduced axis, how many partials one combine step merges. */
function fanIn(split: ReduceOptions["splitEvery"], axes: readonly number[], ndim: number): Map<number, number> {
  const m = new Map<number, number>();
  if (split === undefined || typeof split === "number") {
    const total = split ?? 16;
    if (!Number.isInteger(total) || total < 2) throw new TesseraError("ValueError", `splitEvery: ${show(split)} must be an integer >= 2`);
    const per = Math.max(2, Math.floor(total ** (1 / Math.max(1, axes.length))));
    for (const a of axes) m.set(a, per);
    return m;
  }
  for (const a of axes) m.set(a, 2 ** 31);
  for (const [k, v] of Object.entries(split)) {
    const ax = normalizeAxes(Number(k), ndim, "splitEvery")[0]!;
    if (!Number.isInteger(v) || v < 2) throw new TesseraError("ValueError", `splitEvery: ${show(v)} for axis ${k} must be an integer >= 2`);
    if (m.has(ax)) m.set(ax, v);
  }
  return m;
}

/** Float64 tiles in a partial of each kind: [value], [sum, count], [count, mean, M2], [value, index]. */
const FIELDS = (kind: ReduceKind): number => (/var|std/.test(kind) ? 3 : /mean|arg/.test(kind) ? 2 : 1);

/** One level of the combine tree: merges up to `fan` blocks along each reduced axis. */
function combineLevel(prev: Layer, numblocks: readonly number[], fan: ReadonlyMap<number, number>, op: string, attrs: Attrs, partialBytes: (index: readonly number[]) => number): { layer: Layer; numblocks: number[] } {
  const nb = numblocks.map((n, d) => (fan.has(d) ? Math.ceil(n / fan.get(d)!) : n));
  const layer = makeLayer({
    name: layerName(op, prev.name, nb, attrs),
    numblocks: nb,
    deps: [prev],
    task: (index) => {
      const ranges = index.map((b, d) => {
        const f = fan.get(d);
        if (f === undefined) return [b];
        const out: number[] = [];
        for (let k = b * f; k < Math.min((b + 1) * f, numblocks[d]!); k++) out.push(k);
        return out;
      });
      const args: Key[] = [];
      const walk = (d: number, idx: number[]): void => {
        if (d === ranges.length) args.push(keyOf(prev.name, idx));
        else for (const k of ranges[d]!) walk(d + 1, [...idx, k]);
      };
      walk(0, []);
      return { op, args, attrs, placement: "cpu", nbytes: partialBytes(index) };
    },
  });
  return { layer, numblocks: nb };
}

/** Builds chunk -> combine tree -> aggregate over `axes` for a built-in kind. */
export function reduce(x: LazyArray, kind: ReduceKind, options: VarOptions = {}): LazyArray {
  const axes = normalizeAxes(options.axis, x.ndim, `${kind}(axis)`);
  const keepdims = options.keepdims ?? false;
  if ((kind === "argmin" || kind === "argmax") && options.axis !== undefined && options.axis !== null && typeof options.axis !== "number") {
    throw new TesseraError("AxisError", `${kind}: axis must be one axis or null (flattened), got ${show(options.axis)}`);
  }
  if ((kind.endsWith("min") || kind.endsWith("max")) && axes.some((a) => x.shape[a] === 0)) {
    throw new TesseraError("ValueError", `${kind}: zero-size reduction over axes ${show(axes)} of shape (${x.shape.join(", ")}) has no identity`);
  }
  const ddof = options.ddof ?? 0;
  if (!Number.isFinite(ddof) || ddof < 0) throw new TesseraError("ValueError", `${kind}: ddof ${show(ddof)} must be a non-negative number`);
  const dtype = options.dtype ?? reduceDtype(kind, x.dtype);
  const offsets = x.chunks.map(blockOffsets);
  const flat = axes.length === x.ndim && (options.axis === undefined || options.axis === null);
  const partialChunks = x.chunks.map((c, d) => (axes.includes(d) ? c.map(() => 1) : [...c]));
  // A partial's bytes depend only on the kept axes' block sizes.
  const partialBytes = (index: readonly number[]): number => 8 * FIELDS(kind) * index.reduce((acc, b, d) => acc * (axes.includes(d) ? 1 : partialChunks[d]![b]!), 1);
  const chunkLayer = blockwiseLayer({
    label: `${kind}-chunk`,
    op: "reduce-chunk",
    chunks: partialChunks,
    dtype: "float64",
    inputs: [{ layer: x.layer, map: same }],
    nbytes: (index) => partialBytes(index),
    attrs: kind.startsWith("arg")
      ? (index) => ({ kind, axes, starts: index.map((b, d) => offsets[d]![b]!), fullShape: [...x.shape], flat })
      : { kind, axes },
    token: [kind, axes],
  });
  let layer = chunkLayer;
  let numblocks = x.chunks.map((c) => c.length);
  const fan = fanIn(options.splitEvery, axes, x.ndim);
  while (axes.some((a) => numblocks[a]! > 1)) ({ layer, numblocks } = combineLevel(layer, numblocks, fan, "reduce-combine", { kind }, partialBytes));
  const outChunks = x.chunks.flatMap((c, d) => (axes.includes(d) ? (keepdims ? [[1]] : []) : [[...c]]));
  const outShape = x.shape.flatMap((n, d) => (axes.includes(d) ? (keepdims ? [1] : []) : [n]));
  const agg = blockwiseLayer({
    label: kind,
    op: "reduce-aggregate",
    chunks: outChunks,
    dtype,
    inputs: [{ layer, map: (index) => expandIndex(index, axes, x.ndim, keepdims) }],
    attrs: { kind, axes, keepdims, dtype, ddof },
    token: [kind, axes, keepdims, ddof],
  });
  return new LazyArray(agg, outShape, dtype, outChunks);
}

/** The block index of the fully combined partial for output block `index`. */
function expandIndex(index: readonly number[], axes: readonly number[], ndim: number, keepdims: boolean): number[] {
  if (keepdims) return index.map((b, d) => (axes.includes(d) ? 0 : b));
  const out: number[] = [];
  let k = 0;
  for (let d = 0; d < ndim; d++) out.push(axes.includes(d) ? 0 : index[k++]!);
  return out;
}

/** cumsum / cumprod along `axis` (null flattens first, as NumPy does). */
export function cumulative(x: LazyArray, kind: "cumsum" | "cumprod", axis: number | null = null, dtype?: DType): LazyArray {
  if (axis === null) return cumulative(x.reshape([-1]), kind, 0, dtype);
  const ax = normalizeAxes(axis, x.ndim, `${kind}(axis)`)[0]!;
  const out = dtype ?? reduceDtype("sum", x.dtype);
  const n = x.chunks[ax]!.length;
  const scanned = blockwiseLayer({ label: `${kind}-block`, op: "cum-block", chunks: x.chunks, dtype: "float64", inputs: [{ layer: x.layer, map: same }], attrs: { kind, axis: ax }, token: [kind, ax] });
  const carryChunks = x.chunks.map((c, d) => (d === ax ? c.map(() => 1) : [...c]));
  const carryName = layerName(`${kind}-carry`, scanned.name, ax);
  const carry: Layer = makeLayer({
    name: carryName,
    numblocks: carryChunks.map((c) => c.length),
    deps: [scanned],
    task: (index) => {
      const j = index[ax]!;
      const prevBlock = keyOf(scanned.name, index.map((b, d) => (d === ax ? j - 1 : b)));
      const args = j <= 1 ? [prevBlock] : [keyOf(carryName, index.map((b, d) => (d === ax ? j - 1 : b))), prevBlock];
      return { op: "cum-carry", args, attrs: { kind, axis: ax }, placement: "cpu", nbytes: 8 * blockShape(carryChunks, index).reduce((a, b) => a * b, 1) };
    },
  });
  const size = out === "float64" || out === "int64" || out === "uint64" ? 8 : 4;
  const layer = makeLayer({
    name: layerName(kind, scanned.name, out),
    numblocks: x.chunks.map((c) => c.length),
    deps: [scanned, carry],
    task: (index) => {
      const args = [keyOf(scanned.name, index)];
      if (index[ax]! > 0 && n > 1) args.push(keyOf(carryName, index));
      return { op: "cum-apply", args, attrs: { kind, axis: ax, dtype: out }, placement: "cpu", nbytes: size * blockShape(x.chunks, index).reduce((a, b) => a * b, 1) };
    },
  });
  return new LazyArray(layer, x.shape, out, x.chunks);
}
