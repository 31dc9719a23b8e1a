/**
 * Tree reductions: `reduce-chunk` turns a block into a partial (float64 tiles that keep the reduced axes
 * as size 1), `reduce-combine` merges partials, `reduce-aggregate` turns one partial into the result.
 * Partials per kind: [value] for sum/prod/min/max/any/all and nan-variants; [sum, count] for means;
 * [count, mean, M2] for variances (merged by Chan et al.'s pairwise update, which keeps long float32
 * axes accurate); [value, index] for argmin/argmax. All accumulation is in float64.
 */
import { allocate, contiguousTile, freshAllocator, isBig, sizeOf, stridesOf, type Allocator, type DType, type Tile, type TypedArray } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";
import { collapse, read, runNest } from "../loops.js";
import { broadcastStrides } from "../tiles.js";
import { isVirtual, materializeVirtual, type Virtual } from "./ew-tree.js";
import { shiftedMoments } from "./moments.js";
import { asTile, asTiles } from "./values.js";

export type ReduceKind =
  | "sum" | "nansum" | "prod" | "nanprod" | "min" | "max" | "nanmin" | "nanmax" | "any" | "all"
  | "mean" | "nanmean" | "var" | "nanvar" | "std" | "nanstd" | "argmin" | "argmax";

type FoldKind = "sum" | "nansum" | "prod" | "nanprod" | "min" | "max" | "nanmin" | "nanmax" | "any" | "all" | "nancount" | "m2" | "nanm2";

/** Each fold: the identity and `s = comb(s, x)` (`m` is the partial mean, for M2). */
const FOLDS: Record<FoldKind, { readonly init: number; readonly comb: string }> = {
  sum: { init: 0, comb: "s + x" },
  nansum: { init: 0, comb: "(x === x ? s + x : s)" },
  prod: { init: 1, comb: "s * x" },
  nanprod: { init: 1, comb: "(x === x ? s * x : s)" },
  min: { init: Infinity, comb: "((x < s || x !== x) ? x : s)" },
  max: { init: -Infinity, comb: "((x > s || x !== x) ? x : s)" },
  nanmin: { init: NaN, comb: "((x < s || s !== s) ? x : s)" },
  nanmax: { init: NaN, comb: "((x > s || s !== s) ? x : s)" },
  any: { init: 0, comb: "((s !== 0 || x !== 0) ? 1 : 0)" },
  all: { init: 1, comb: "((s !== 0 && x !== 0) ? 1 : 0)" },
  nancount: { init: 0, comb: "(x === x ? s + 1 : s)" },
  m2: { init: 0, comb: "s + (x - m) * (x - m)" },
  nanm2: { init: 0, comb: "(x === x ? s + (x - m) * (x - m) : s)" },
};

const keptShape = (shape: readonly number[], axes: readonly number[]): number[] => shape.map((n, d) => (axes.includes(d) ? 1 : n));

/** A float64 partial filled with `v` (pooled memory is not zeroed: always filled). */
function filled(shape: readonly number[], v: number, alloc: Allocator = freshAllocator): Tile {
  const data = alloc.alloc("float64", sizeOf(shape)) as Float64Array;
  data.fill(v);
  return contiguousTile(data, shape, "float64");
}

type BlockRowSum = (out: Float64Array, x: TypedArray, offset: number, rows: number, cols: number, rowStride: number) => void;
type RowsSum = (out: Float64Array, xs: readonly TypedArray[], offsets: readonly number[], rows: number, cols: number) => void;
const blockRowSums = new Map<string, BlockRowSum>();
const rowsSums = new Map<string, RowsSum>();

const pairwise = (t: readonly string[]): string => (t.length === 1 ? t[0]! : `(${pairwise(t.slice(0, t.length / 2))} + ${pairwise(t.slice(t.length / 2))})`);

/**
 * Sums the rows of one block (`rows` runs of `cols` contiguous elements, `rowStride` apart) into one
 * accumulator row, eight rows per pass, then four: the accumulator is read and written once per eight input
 * elements instead of once per element (the bound of a plain loop). Generated per input type so that each
 * stays monomorphic. `rows` is a multiple of four (`sumRows` leaves the rest to `rowsSum`).
 */
function blockRowSum(x: TypedArray): BlockRowSum {
  const key = x.constructor.name;
  let f = blockRowSums.get(key);
  if (!f) {
    const pass = (k: number): string => {
      const offs = Array.from({ length: k - 1 }, (_, i) => `o${i + 1} = o${i} + rowStride`).join(", ");
      return `for (; r + ${k - 1} < rows; r += ${k}, o0 += ${k} * rowStride) { const ${offs}; for (let j = 0; j < cols; j++) out[j] += ${pairwise(Array.from({ length: k }, (_, i) => `x[o${i} + j]`))}; }`;
    };
    f = new Function("out", "x", "offset", "rows", "cols", "rowStride", `let r = 0, o0 = offset; ${pass(8)} ${pass(4)}`) as BlockRowSum;
    blockRowSums.set(key, f);
  }
  return f;
}

/** Sums rows from anywhere (row r is `cols` elements of `xs[r]` from `offsets[r]`), four per pass. */
function rowsSum(x: TypedArray): RowsSum {
  const key = x.constructor.name;
  let f = rowsSums.get(key);
  if (!f) {
    const pass = (k: number): string => {
      const vars = Array.from({ length: k }, (_, i) => `const x${i} = xs[r + ${i}], o${i} = offsets[r + ${i}];`).join(" ");
      return `for (; r + ${k - 1} < rows; r += ${k}) { ${vars} for (let j = 0; j < cols; j++) out[j] += ${pairwise(Array.from({ length: k }, (_, i) => `x${i}[o${i} + j]`))}; }`;
    };
    f = new Function("out", "xs", "offsets", "rows", "cols", `let r = 0; ${pass(4)} ${pass(2)} ${pass(1)}`) as RowsSum;
    rowsSums.set(key, f);
  }
  return f;
}

/**
 * The sum of the blocks that are rows of contiguous columns laid out like the partial (a mean over the
 * stack axis of images, one or several per block): each block's rows in passes of eight or four, then the
 * rows left over from all blocks together (one image per block: four images per pass). Returns the blocks
 * it could not take.
 */
function sumRows(out: Tile, blocks: readonly Block[], axes: readonly number[]): Block[] {
  const acc = out.data as Float64Array;
  const os = stridesOf(out.shape).map((s, d) => (axes.includes(d) ? 0 : s));
  const cols = sizeOf(out.shape);
  const rest: Block[] = [];
  const xs: TypedArray[] = [];
  const offsets: number[] = [];
  for (const t of blocks) {
    if (isVirtual(t) || isBig(t.dtype) || (xs.length > 0 && t.data.constructor !== xs[0]!.constructor)) {
      rest.push(t);
      continue;
    }
    const c = collapse(t.shape, [os, t.strides]);
    const flat = c.shape.length === 1 && c.strides[0]![0] === 1 && c.strides[1]![0] === 1;
    const rowsOf = flat ? 1 : c.shape.length === 2 && c.strides[0]![0] === 0 && c.strides[0]![1] === 1 && c.strides[1]![1] === 1 ? c.shape[0]! : 0;
    if (rowsOf === 0 || c.shape[c.shape.length - 1] !== cols) {
      rest.push(t);
      continue;
    }
    const step = flat ? 0 : c.strides[1]![0]!;
    const whole = rowsOf - (rowsOf % 4);
    if (whole > 0) blockRowSum(t.data)(acc, t.data, t.offset, whole, cols, step);
    for (let r = whole; r < rowsOf; r++) {
      xs.push(t.data);
      offsets.push(t.offset + r * step);
    }
  }
  if (xs.length > 0) rowsSum(xs[0]!)(acc, xs, offsets, xs.length, cols);
  return rest;
}

/** Folds already made for this block (reduce-multi shares e.g. the sum between a mean and a variance). */
type FoldMemo = Map<string, Tile>;

/** A block to reduce: a tile, or an elementwise tree evaluated inside the reduction's loop. */
export type Block = Tile | Virtual;

/** Folds the blocks over `axes` into one new float64 partial; `mean` (same shape as the partial) feeds M2. */
function fold(kind: FoldKind, blocks: readonly Block[], axes: readonly number[], mean?: Tile, memo?: FoldMemo, alloc?: Allocator): Tile {
  const memoKey = mean ? undefined : `${kind}|${axes.join(",")}`;
  const hit = memoKey ? memo?.get(memoKey) : undefined;
  if (hit) return hit;
  const out = filled(keptShape(blocks[0]!.shape, axes), FOLDS[kind].init, alloc);
  const nonEmpty = blocks.filter((t) => sizeOf(t.shape) > 0);
  for (const t of kind === "sum" ? sumRows(out, nonEmpty, axes) : nonEmpty) {
    if (isVirtual(t)) foldVirtual(out, kind, t, axes, mean);
    else foldTile(out, kind, t, axes, mean);
  }
  if (memoKey) memo?.set(memoKey, out);
  return out;
}

/** Folds tile `t` into the partial `out` (every loop below accumulates onto what `out` holds). */
function foldTile(out: Tile, kind: FoldKind, t: Tile, axes: readonly number[], mean?: Tile): void {
  const shape = out.shape;
  const os = stridesOf(shape).map((s, d) => (axes.includes(d) ? 0 : s));
  const ops = [{ data: out.data, offset: 0, strides: os }, { data: t.data, offset: t.offset, strides: t.strides }];
  if (mean) ops.push({ data: mean.data, offset: 0, strides: os });
  const big = isBig(t.dtype);
  // Sums and M2 into one scalar are bound by the add's latency: four accumulators break the chain.
  const unroll = (kind === "sum" || kind === "m2") && !big;
  // Keyed by the input's type too: one nest per type stays monomorphic.
  runNest(`fold:${kind}:${t.data.constructor.name}`, t.shape, ops, [], (p, s, n) => {
    const x = read("A1", p[1]!, big);
    const m = mean ? `const m = A2[${p[2]}];` : "";
    const comb = FOLDS[kind].comb;
    const term = (v: string): string => (kind === "m2" ? `(${v} - m) * (${v} - m)` : v);
    const fast = unroll
      ? `${m} let s0 = 0, s1 = 0, s2 = 0, s3 = 0; let j = 0; const q = ${s[1]};
         for (; j + 3 < ${n}; j += 4) { const x0 = A1[${p[1]}], x1 = A1[${p[1]} + q], x2 = A1[${p[1]} + 2 * q], x3 = A1[${p[1]} + 3 * q]; s0 += ${term("x0")}; s1 += ${term("x1")}; s2 += ${term("x2")}; s3 += ${term("x3")}; ${p[1]} += 4 * q; }
         for (; j < ${n}; j++) { const x0 = A1[${p[1]}]; s0 += ${term("x0")}; ${p[1]} += q; }
         A0[${p[0]}] += (s0 + s1) + (s2 + s3);`
      : `let s = A0[${p[0]}]; ${m} for (let j = 0; j < ${n}; j++) { const x = ${x}; s = ${comb}; ${p[1]} += ${s[1]}; } A0[${p[0]}] = s;`;
    return `if (${s[0]} === 0) { ${fast} }
      else if (${s[0]} === 1 && ${s[1]} === 1) { ${unitLoop(p, n, big, comb, mean !== undefined)} }
      else { for (let j = 0; j < ${n}; j++) { const x = ${x}; ${mean ? `const m = A2[${p[2]}];` : ""} const s = A0[${p[0]}]; A0[${p[0]}] = ${comb}; ${p.map((q, k) => `${q} += ${s[k]};`).join(" ")} } }`;
  });
}

/** The vector-accumulate loop over unit strides, indexed from fixed bases (V8 keeps bounds checks out of it). */
function unitLoop(p: readonly string[], n: string, big: boolean, comb: string, withMean: boolean): string {
  const x = read("A1", `b1 + j`, big);
  return `const b0 = ${p[0]}, b1 = ${p[1]}${withMean ? `, b2 = ${p[2]}` : ""};
    for (let j = 0; j < ${n}; j++) { const x = ${x}; ${withMean ? "const m = A2[b2 + j];" : ""} const s = A0[b0 + j]; A0[b0 + j] = ${comb}; }`;
}

/** Folds a virtual block into `out`: each element is computed from the leaves in the loop, never stored. */
function foldVirtual(out: Tile, kind: FoldKind, v: Virtual, axes: readonly number[], mean?: Tile): void {
  const shape = out.shape;
  const os = stridesOf(shape).map((s, d) => (axes.includes(d) ? 0 : s));
  const leaves = v.leaves.map((t) => ({ data: t.data, offset: t.offset, strides: broadcastStrides(t, v.shape) }));
  const ops = [{ data: out.data, offset: 0, strides: os }, ...leaves];
  if (mean) ops.push({ data: mean.data, offset: 0, strides: os });
  const mi = ops.length - 1;
  const comb = FOLDS[kind].comb;
  runNest(`foldv:${kind}:${v.signature}:${mean !== undefined}`, v.shape, ops, v.scalars, (p, s, n) => {
    const { lines, value } = v.code((i) => read(`A${i + 1}`, p[i + 1]!, isBig(v.leaves[i]!.dtype)), (i) => `X${i}`);
    const m = mean ? `const m = A${mi}[${p[mi]}];` : "";
    const bumps = (from: number): string => p.slice(from).map((q, k) => `${q} += ${s[k + from]};`).join(" ");
    return `if (${s[0]} === 0) { let s = A0[${p[0]}]; ${m} for (let j = 0; j < ${n}; j++) { ${lines.join(" ")} const x = ${value}; s = ${comb}; ${bumps(1)} } A0[${p[0]}] = s; }
      else { for (let j = 0; j < ${n}; j++) { ${lines.join(" ")} const x = ${value}; ${m} const s = A0[${p[0]}]; A0[${p[0]}] = ${comb}; ${bumps(0)} } }`;
  });
}

export type ChunkAttrs = { readonly kind: ReduceKind; readonly axes: readonly number[]; readonly starts?: readonly number[]; readonly fullShape?: readonly number[]; readonly flat?: boolean };

/**
 * The partial of one block, or of several blocks along the reduced axes folded together (the graph groups
 * small blocks: `groupReductionChunks` in @tessera/array). Arg-reductions take one block (its start is in `a`).
 */
export function reduceChunk(blocks: readonly Block[], a: ChunkAttrs, memo?: FoldMemo, alloc?: Allocator): Tile[] {
  const { kind, axes } = a;
  const nanv = kind.startsWith("nan");
  /** Elements reduced into each position of the partial (NaNs aside). */
  const total = (): number => blocks.reduce((acc, t) => acc + reducedCount(t, axes), 0);
  const count = (): Tile => (nanv ? fold("nancount", blocks, axes, undefined, memo) : filled(keptShape(blocks[0]!.shape, axes), total()));
  switch (kind) {
    case "mean":
    case "nanmean": {
      const sum = fold(nanv ? "nansum" : "sum", blocks, axes, undefined, memo, alloc);
      // Without NaNs every position of the partial has the same count: one value (shape all 1s), not an
      // array as large as the sum (for a mean over a short axis that array would double the partial).
      return [sum, nanv ? count() : filled(sum.shape.map(() => 1), total())];
    }
    case "var":
    case "nanvar":
    case "std":
    case "nanstd": {
      // One pass over plain blocks (shifted sums); its sum serves a sibling mean of the same block.
      const plain = !nanv && blocks.every((t): t is Tile => !isVirtual(t) && !isBig(t.dtype));
      const mom = plain ? shiftedMoments(blocks as Tile[], axes) : undefined;
      if (mom) {
        memo?.set(`sum|${axes.join(",")}`, mom.sum);
        return [filled(mom.mean.shape, mom.count), mom.mean, mom.m2];
      }
      const n = count();
      const mean = divide(fold(nanv ? "nansum" : "sum", blocks, axes, undefined, memo), n);
      return [n, mean, fold(nanv ? "nanm2" : "m2", blocks, axes, mean)];
    }
    case "argmin":
    case "argmax": {
      if (blocks.length !== 1) throw new Error(`reduce-chunk: ${kind} takes one block, got ${blocks.length}`);
      const t = blocks[0]!;
      return argChunk(isVirtual(t) ? materializeVirtual(t) : t, a);
    }
    default:
      return [fold(kind, blocks, axes, undefined, memo, alloc)];
  }
}

const reducedCount = (t: Block, axes: readonly number[]): number => axes.reduce((acc, d) => acc * t.shape[d]!, 1);

function divide(sum: Tile, count: Tile): Tile {
  const s = sum.data as Float64Array;
  const c = count.data as Float64Array;
  const out = allocate("float64", s.length) as Float64Array;
  for (let i = 0; i < s.length; i++) out[i] = s[i]! / c[i]!;
  return contiguousTile(out, sum.shape, "float64");
}

/** Is (v1, i1) a better arg-candidate than (v2, i2)? NaN wins (first NaN), ties go to the lower index. */
function better(max: boolean, v1: number, i1: number, v2: number, i2: number): boolean {
  if (v1 !== v1) return v2 === v2 || i1 < i2;
  if (v2 !== v2) return false;
  if (v1 === v2) return i1 < i2;
  return max ? v1 > v2 : v1 < v2;
}

function argChunk(t: Tile, a: ChunkAttrs): Tile[] {
  const max = a.kind === "argmax";
  const shape = keptShape(t.shape, a.axes);
  const vals = filled(shape, NaN);
  const idxs = filled(shape, -1);
  const V = vals.data as Float64Array;
  const I = idxs.data as Float64Array;
  const os = stridesOf(shape).map((s, d) => (a.axes.includes(d) ? 0 : s));
  const gs = stridesOf(a.fullShape ?? t.shape);
  const starts = a.starts ?? t.shape.map(() => 0);
  // Along one axis the index counts positions on that axis; flattened (axis null) it is the flat position.
  const single = a.flat === false && a.axes.length === 1 ? a.axes[0] : undefined;
  const nd = t.shape.length;
  const idx = new Array<number>(nd).fill(0);
  const n = sizeOf(t.shape);
  for (let k = 0; k < n; k++) {
    let src = t.offset;
    let o = 0;
    let g = 0;
    for (let d = 0; d < nd; d++) {
      src += idx[d]! * t.strides[d]!;
      o += idx[d]! * os[d]!;
      g += (starts[d]! + idx[d]!) * gs[d]!;
    }
    const gi = single === undefined ? g : starts[single]! + idx[single]!;
    const v = Number(t.data[src]);
    if (I[o] === -1 || better(max, v, gi, V[o]!, I[o]!)) {
      V[o] = v;
      I[o] = gi;
    }
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < t.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return [vals, idxs];
}

/** Merges partials of one kind (all of the same shape; a mean's count may be one value for every position). */
export function combine(kind: ReduceKind, parts: readonly Tile[][]): Tile[] {
  const first = parts[0]!;
  const sizes = first.map((t) => sizeOf(t.shape));
  const n = sizes[0]!;
  const f = (i: number): Float64Array => {
    const copy = allocate("float64", sizes[i]!) as Float64Array;
    copy.set((first[i]!.data as Float64Array).subarray(0, sizes[i]!));
    return copy;
  };
  const acc = first.map((_, i) => f(i));
  const field = (p: Tile[], i: number): Float64Array => p[i]!.data as Float64Array;
  for (const p of parts.slice(1)) {
    if (kind === "mean" || kind === "nanmean") {
      addInto(acc[0]!, field(p, 0), n);
      addInto(acc[1]!, field(p, 1), sizes[1]!);
    } else if (kind === "var" || kind === "nanvar" || kind === "std" || kind === "nanstd") {
      chanMerge(acc, [field(p, 0), field(p, 1), field(p, 2)], n);
    } else if (kind === "argmin" || kind === "argmax") {
      const [V, I] = [field(p, 0), field(p, 1)];
      for (let i = 0; i < n; i++) {
        if (better(kind === "argmax", V[i]!, I[i]!, acc[0]![i]!, acc[1]![i]!)) {
          acc[0]![i] = V[i]!;
          acc[1]![i] = I[i]!;
        }
      }
    } else foldInto(kind, acc[0]!, field(p, 0), n);
  }
  return acc.map((d, i) => contiguousTile(d, first[i]!.shape, "float64"));
}

function addInto(a: Float64Array, b: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) a[i]! += b[i]!;
}

const combFns = new Map<string, (s: number, x: number) => number>();

function foldInto(kind: ReduceKind, a: Float64Array, b: Float64Array, n: number): void {
  let comb = combFns.get(kind);
  if (!comb) {
    comb = new Function("s", "x", `return ${FOLDS[kind as FoldKind].comb};`) as (s: number, x: number) => number;
    combFns.set(kind, comb);
  }
  for (let i = 0; i < n; i++) a[i] = comb(a[i]!, b[i]!);
}

/** Chan, Golub & LeVeque (1979): merge (n, mean, M2) of two disjoint sets. */
function chanMerge(acc: Float64Array[], b: Float64Array[], n: number): void {
  const [na, ma, qa] = acc as [Float64Array, Float64Array, Float64Array];
  const [nb, mb, qb] = b as [Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < n; i++) {
    const n2 = nb[i]!;
    if (n2 === 0) continue;
    const n1 = na[i]!;
    const nt = n1 + n2;
    const delta = mb[i]! - ma[i]!;
    ma[i] = n1 === 0 ? mb[i]! : ma[i]! + (delta * n2) / nt;
    qa[i] = n1 === 0 ? qb[i]! : qa[i]! + qb[i]! + (delta * delta * n1 * n2) / nt;
    na[i] = nt;
  }
}

export type AggregateAttrs = { readonly kind: ReduceKind; readonly axes: readonly number[]; readonly keepdims: boolean; readonly dtype: DType; readonly ddof: number };

export function aggregate(p: Tile[], a: AggregateAttrs): Tile {
  const shape = p[0]!.shape;
  const n = sizeOf(shape);
  const F = (i: number): Float64Array => p[i]!.data as Float64Array;
  let values: ArrayLike<number>;
  switch (a.kind) {
    case "mean":
    case "nanmean": {
      const out = allocate("float64", n) as Float64Array;
      const [sum, count] = [F(0), F(1)];
      if (count.length === 1 && n !== 1) for (let i = 0; i < n; i++) out[i] = sum[i]! / count[0]!;
      else for (let i = 0; i < n; i++) out[i] = sum[i]! / count[i]!;
      values = out;
      break;
    }
    case "var":
    case "nanvar":
    case "std":
    case "nanstd": {
      const out = allocate("float64", n) as Float64Array;
      const root = a.kind.endsWith("std");
      for (let i = 0; i < n; i++) {
        const v = F(2)[i]! / Math.max(F(0)[i]! - a.ddof, 0);
        out[i] = root ? Math.sqrt(v) : v;
      }
      values = out;
      break;
    }
    case "argmin":
    case "argmax":
      values = F(1);
      break;
    default:
      values = F(0);
  }
  const outShape = a.keepdims ? [...shape] : shape.filter((_, d) => !a.axes.includes(d));
  return contiguousTile(castValues(values, n, a.dtype), outShape, a.dtype);
}

function castValues(v: ArrayLike<number>, n: number, dtype: DType): TypedArray {
  const out = allocate(dtype, n);
  if (isBig(dtype)) for (let i = 0; i < n; i++) (out as BigInt64Array)[i] = Number.isFinite(v[i]!) ? BigInt(Math.round(v[i]!)) : 0n;
  else if (dtype === "bool") for (let i = 0; i < n; i++) out[i] = v[i]! !== 0 ? 1 : 0;
  else for (let i = 0; i < n; i++) (out as Float64Array)[i] = v[i]!;
  return out;
}

const blocksOf = (inputs: readonly unknown[], op: string): Block[] => inputs.map((v) => (isVirtual(v) ? v : asTile(v, op)));

export const reduceChunkKernel = (inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile[] => reduceChunk(blocksOf(inputs, "reduce-chunk"), attrs as ChunkAttrs, undefined, ctx.alloc);
export const reduceCombineKernel = (inputs: readonly unknown[], attrs: Attrs): Tile[] =>
  combine(attrs["kind"] as ReduceKind, inputs.map((v) => asTiles(v, "reduce-combine")));
export const reduceAggregateKernel = (inputs: readonly unknown[], attrs: Attrs): Tile => aggregate(asTiles(inputs[0], "reduce-aggregate"), attrs as AggregateAttrs);

/** Several reductions of one block (sibling reduce-chunk tasks merged by the optimizer): their partials, in order. */
export const reduceMultiKernel = (inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile[][] => {
  const blocks = blocksOf(inputs, "reduce-multi");
  const memo: FoldMemo = new Map();
  const parts = attrs["parts"] as readonly ChunkAttrs[];
  // Variances first: their one-pass moments leave the block's sum for a sibling mean.
  const first = (a: ChunkAttrs): number => (a.kind === "var" || a.kind === "std" ? 0 : 1);
  const order = parts.map((_, i) => i).sort((i, j) => first(parts[i]!) - first(parts[j]!));
  const out: Tile[][] = [];
  for (const i of order) out[i] = reduceChunk(blocks, parts[i]!, memo, ctx.alloc);
  return out;
};

export const pickKernel = (inputs: readonly unknown[], attrs: Attrs): unknown => (inputs[0] as readonly unknown[])[attrs["index"] as number];
