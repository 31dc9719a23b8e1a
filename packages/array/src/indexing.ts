/**
 * Basic indexing in zarrita's style: `x.get([0, slice(null, null, -1), null, "...", "newaxis"])` where an
 * item is an integer, a `slice(start, stop, step)`, `null` (the whole axis), `"..."` (the remaining
 * axes) or `"newaxis"`. Output blocks follow the input's blocks, each a view of exactly one input block,
 * so only the touched blocks are read. `take` gathers a list of positions along one axis.
 */
import { TesseraError, blockOffsets, blockShape, itemsize, normalizeAxis, show, sizeOf } from "@tessera/core";
import { keyOf, makeLayer, type Json, type Key } from "@tessera/graph";
import { LazyArray } from "./array.js";
import { blockwiseLayer, layerName } from "./layers.js";

export interface Slice {
  readonly kind: "slice";
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;
}

/** `slice(stop)` or `slice(start, stop, step?)`, as Python's `start:stop:step`; null means the default. */
export function slice(start: number | null, stop?: number | null, step?: number | null): Slice {
  if (stop === undefined) return { kind: "slice", start: null, stop: start, step: null };
  return { kind: "slice", start, stop, step: step ?? null };
}

export type SelectionItem = number | Slice | null | "..." | "newaxis";

type Item = { kind: "range"; axis: number; start: number; step: number; count: number } | { kind: "index"; axis: number; index: number } | { kind: "new" };

/** Python's slice.indices for an axis of length n. */
function sliceRange(s: Slice, n: number, axis: number): { start: number; step: number; count: number } {
  const step = s.step ?? 1;
  if (!Number.isInteger(step) || step === 0) throw new TesseraError("IndexError", `get: slice step ${show(s.step)} on axis ${axis} must be a non-zero integer`);
  for (const v of [s.start, s.stop]) if (v !== null && !Number.isInteger(v)) throw new TesseraError("IndexError", `get: slice bound ${show(v)} on axis ${axis} must be an integer or null`);
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  let start: number;
  let stop: number;
  if (step > 0) {
    start = s.start === null ? 0 : clamp(s.start < 0 ? s.start + n : s.start, 0, n);
    stop = s.stop === null ? n : clamp(s.stop < 0 ? s.stop + n : s.stop, 0, n);
  } else {
    start = s.start === null ? n - 1 : clamp(s.start < 0 ? s.start + n : s.start, -1, n - 1);
    stop = s.stop === null ? -1 : clamp(s.stop < 0 ? s.stop + n : s.stop, -1, n - 1);
  }
  const count = Math.max(0, Math.ceil((stop - start) / step));
  return { start, step, count };
}

function parseSelection(sel: readonly SelectionItem[], shape: readonly number[]): Item[] {
  const consumed = sel.filter((s) => s !== "newaxis" && s !== "...").length;
  const ellipses = sel.filter((s) => s === "...").length;
  if (ellipses > 1) throw new TesseraError("IndexError", `get: a selection may hold at most one "..." (got ${ellipses})`);
  if (consumed > shape.length) throw new TesseraError("IndexError", `get: selection ${show(sel)} indexes ${consumed} axes but the array has ${shape.length} (shape (${shape.join(", ")}))`);
  const expanded: SelectionItem[] = [];
  for (const s of sel) {
    if (s === "...") for (let i = 0; i < shape.length - consumed; i++) expanded.push(null);
    else expanded.push(s);
  }
  if (ellipses === 0) for (let i = consumed; i < shape.length; i++) expanded.push(null);
  let axis = 0;
  return expanded.map((s): Item => {
    if (s === "newaxis") return { kind: "new" };
    const a = axis++;
    const n = shape[a]!;
    if (typeof s === "number") {
      if (!Number.isInteger(s) || s < -n || s >= n) throw new TesseraError("IndexError", `get: index ${show(s)} is out of bounds for axis ${a} with size ${n}; valid indices are ${-n}..${n - 1}`);
      return { kind: "index", axis: a, index: s < 0 ? s + n : s };
    }
    if (s === null) return { kind: "range", axis: a, start: 0, step: 1, count: n };
    if (typeof s === "object" && s.kind === "slice") return { kind: "range", axis: a, ...sliceRange(s, n, a) };
    throw new TesseraError("IndexError", `get: selection item ${show(s)} is not an integer, slice(...), null, "..." or "newaxis"`);
  });
}

/** Per output block along a sliced axis: [input block, local start, count]. */
function rangePieces(chunks: readonly number[], start: number, step: number, count: number): [number, number, number][] {
  if (count === 0) return [[0, 0, 0]];
  const off = blockOffsets(chunks);
  const out: [number, number, number][] = [];
  const order = step > 0 ? chunks.map((_, i) => i) : chunks.map((_, i) => chunks.length - 1 - i);
  for (const b of order) {
    const lo = off[b]!;
    const hi = off[b + 1]!;
    const kFirst = step > 0 ? Math.max(0, Math.ceil((lo - start) / step)) : Math.max(0, Math.ceil((start - hi + 1) / -step));
    const kLast = step > 0 ? Math.min(count - 1, Math.floor((hi - 1 - start) / step)) : Math.min(count - 1, Math.floor((start - lo) / -step));
    if (kLast >= kFirst) out.push([b, start + kFirst * step - lo, kLast - kFirst + 1]);
  }
  return out;
}

export function getitem(x: LazyArray, selection: readonly SelectionItem[] | SelectionItem): LazyArray {
  const sel = Array.isArray(selection) ? (selection as readonly SelectionItem[]) : [selection as SelectionItem];
  const items = parseSelection(sel, x.shape);
  const pieces = items.map((it) => (it.kind === "range" ? rangePieces(x.chunks[it.axis]!, it.start, it.step, it.count) : undefined));
  const chunks: number[][] = [];
  const shape: number[] = [];
  const newAxes: number[] = [];
  items.forEach((it, i) => {
    if (it.kind === "new") {
      newAxes.push(chunks.length);
      chunks.push([1]);
      shape.push(1);
    } else if (it.kind === "range") {
      const p = pieces[i]!;
      chunks.push(it.count === 0 ? [0] : p.map((q) => q[2]));
      shape.push(it.count);
    }
  });
  const fixedBlock = items.map((it) => (it.kind === "index" ? blockOffsets(x.chunks[it.axis]!).findIndex((o, b, off) => it.index >= o && it.index < off[b + 1]!) : -1));
  const layer = blockwiseLayer({
    label: "getitem",
    op: "slice",
    view: true,
    chunks,
    dtype: x.dtype,
    inputs: [{ layer: x.layer, map: (index) => inputBlock(items, pieces, fixedBlock, index) }],
    attrs: (index) => {
      let o = 0;
      const sliceItems = items.flatMap((it, i): Json[] => {
        if (it.kind === "new") {
          o++;
          return [];
        }
        if (it.kind === "index") {
          const b = fixedBlock[i]!;
          return [{ index: it.index - blockOffsets(x.chunks[it.axis]!)[b]! }];
        }
        const [, s, c] = pieces[i]![index[o++]!]!;
        return [{ start: s, step: it.step, count: c }];
      });
      return { items: sliceItems, newAxes };
    },
    token: items,
  });
  return new LazyArray(layer, shape, x.dtype, chunks);
}

function inputBlock(items: readonly Item[], pieces: readonly ([number, number, number][] | undefined)[], fixed: readonly number[], index: readonly number[]): number[] {
  const out: number[] = [];
  let o = 0;
  items.forEach((it, i) => {
    if (it.kind === "new") o++;
    else if (it.kind === "index") out.push(fixed[i]!);
    else out.push(pieces[i]![index[o++]!]![0]);
  });
  return out;
}

/** numpy.take(x, indices, axis): the positions `indices` (negative allowed) along `axis`. */
export function take(x: LazyArray, indices: readonly number[] | Int32Array, axis = 0): LazyArray {
  const ax = normalizeAxis(axis, x.ndim, "take(axis)");
  const n = x.shape[ax]!;
  const idx = Array.from(indices, (v, i) => {
    if (!Number.isInteger(v) || v < -n || v >= n) throw new TesseraError("IndexError", `take: indices[${i}] = ${show(v)} is out of bounds for axis ${ax} with size ${n}`);
    return v < 0 ? v + n : v;
  });
  const off = blockOffsets(x.chunks[ax]!);
  const blockOf = (v: number): number => {
    let lo = 0;
    let hi = off.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (off[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const per = Math.max(1, ...x.chunks[ax]!);
  const outAxis: number[] = [];
  for (let i = 0; i < idx.length; i += per) outAxis.push(Math.min(per, idx.length - i));
  const chunks = x.chunks.map((c, d) => (d === ax ? (outAxis.length ? outAxis : [0]) : [...c]));
  const shape = x.shape.map((s, d) => (d === ax ? idx.length : s));
  const size = itemsize(x.dtype);
  const layer = makeLayer({
    name: layerName("take", x.layer.name, ax, idx),
    numblocks: chunks.map((c) => c.length),
    deps: [x.layer],
    task: (index) => {
      const args: Key[] = [];
      const argOf = new Map<number, number>();
      const lo = index[ax]! * per;
      const picks = idx.slice(lo, lo + chunks[ax]![index[ax]!]!).map((v): [number, number] => {
        const b = blockOf(v);
        let a = argOf.get(b);
        if (a === undefined) {
          a = args.length;
          argOf.set(b, a);
          args.push(keyOf(x.layer.name, index.map((j, d) => (d === ax ? b : j))));
        }
        return [a, v - off[b]!];
      });
      if (args.length === 0) args.push(keyOf(x.layer.name, index.map((j, d) => (d === ax ? 0 : j))));
      const bshape = blockShape(chunks, index);
      return { op: "take", args, attrs: { axis: ax, shape: bshape, dtype: x.dtype, picks }, placement: "cpu", nbytes: sizeOf(bshape) * size };
    },
  });
  return new LazyArray(layer, shape, x.dtype, chunks);
}
