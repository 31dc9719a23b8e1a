/**
 * Dask's chunk model: per-axis block sizes, e.g. `[[512, 512, 100], [256, 256]]`; ragged edges are normal.
 * `normalizeChunks` turns every accepted spec into that explicit form.
 */
import { itemsize, type DType } from "./dtype.js";
import { TesseraError, show } from "./errors.js";
import type { Shape } from "./shape.js";

export type Chunks = readonly (readonly number[])[];

/** One axis of a chunk spec: a block size, -1 or null (whole axis), "auto", or explicit sizes. */
export type AxisChunkSpec = number | null | "auto" | readonly number[];
/** A chunk spec: one size for every axis, "auto", per-axis specs, or an `{ axis: spec }` map (rechunk). */
export type ChunkSpec = number | "auto" | readonly AxisChunkSpec[] | Chunks | { readonly [axis: number]: AxisChunkSpec };

const DEFAULTS = { autoBytes: 128 * 2 ** 20 };

/** The byte target of "auto" chunks (default 128 MiB). */
export function setAutoChunkBytes(bytes: number): void {
  if (!(bytes > 0)) throw new TesseraError("ChunkSpecError", `autoChunkBytes: ${show(bytes)} must be a positive number of bytes`);
  DEFAULTS.autoBytes = bytes;
}
export const autoChunkBytes = (): number => DEFAULTS.autoBytes;

/** Regular blocks of `size` along an axis of length `dim` (last one ragged). */
export function regularChunks(dim: number, size: number): number[] {
  if (dim === 0) return [0];
  const out: number[] = [];
  for (let o = 0; o < dim; o += size) out.push(Math.min(size, dim - o));
  return out;
}

export interface NormalizeOptions {
  /** Existing chunks: `null` in a per-axis spec keeps them (used by rechunk). */
  readonly previous?: Chunks;
  /** Byte target for "auto" (defaults to the global setting). */
  readonly limit?: number;
  readonly argument?: string;
}

/** Normalizes a chunk spec to explicit per-axis block sizes. */
export function normalizeChunks(spec: ChunkSpec, shape: Shape, dtype: DType, options: NormalizeOptions = {}): number[][] {
  const arg = options.argument ?? "chunks";
  const nd = shape.length;
  let perAxis: AxisChunkSpec[];
  if (typeof spec === "number" || spec === "auto") perAxis = new Array<AxisChunkSpec>(nd).fill(spec as number | "auto");
  else if (Array.isArray(spec)) {
    if (spec.length !== nd) {
      throw new TesseraError("ChunkSpecError", `${arg}: ${show(spec)} has ${spec.length} entries but the array has ${nd} dimensions (shape (${shape.join(", ")})); give one entry per axis`);
    }
    perAxis = [...(spec as readonly AxisChunkSpec[])];
  } else if (spec !== null && typeof spec === "object") {
    perAxis = shape.map((_, i) => (options.previous?.[i] ? [...options.previous[i]!] : null));
    for (const [k, v] of Object.entries(spec as Record<string, AxisChunkSpec>)) {
      const ax = Number(k);
      const a = ax < 0 ? ax + nd : ax;
      if (!Number.isInteger(ax) || a < 0 || a >= nd) throw new TesseraError("ChunkSpecError", `${arg}: axis ${k} in ${show(spec)} is out of bounds for ${nd} dimensions`);
      perAxis[a] = v;
    }
  } else throw new TesseraError("ChunkSpecError", `${arg}: ${show(spec)} is not a chunk spec; give a number, "auto", or one entry per axis`);

  const out: (number[] | "auto")[] = perAxis.map((s, i) => axisChunks(s, shape[i] ?? 0, i, arg, options.previous?.[i]));
  if (out.includes("auto")) resolveAuto(out, shape, dtype, options.limit ?? DEFAULTS.autoBytes);
  return out as number[][];
}

function axisChunks(s: AxisChunkSpec, dim: number, axis: number, arg: string, prev?: readonly number[]): number[] | "auto" {
  if (s === "auto") return "auto";
  if (s === null || s === -1) return prev && s === null ? [...prev] : [dim];
  if (typeof s === "number") {
    if (!Number.isInteger(s) || s <= 0) {
      throw new TesseraError("ChunkSpecError", `${arg}: block size ${show(s)} on axis ${axis} must be a positive integer, -1 (whole axis) or "auto"`);
    }
    return regularChunks(dim, s);
  }
  if (Array.isArray(s)) {
    const sum = s.reduce((a: number, b: number) => a + b, 0);
    if (!s.every((v) => Number.isInteger(v) && v >= 0) || sum !== dim || (dim > 0 && s.some((v) => v === 0))) {
      throw new TesseraError("ChunkSpecError", `${arg}: explicit blocks ${show(s)} on axis ${axis} must be positive integers summing to the axis length ${dim} (they sum to ${sum})`);
    }
    return s.length === 0 ? [0] : [...s];
  }
  throw new TesseraError("ChunkSpecError", `${arg}: ${show(s)} on axis ${axis} is not a chunk spec; give a size, -1, "auto" or explicit sizes`);
}

/** Dask's auto_chunks: equal-ish block sizes on the "auto" axes so a block holds about `limit` bytes. */
function resolveAuto(out: (number[] | "auto")[], shape: Shape, dtype: DType, limit: number): void {
  const autoAxes = out.flatMap((c, i) => (c === "auto" ? [i] : []));
  const fixed = out.reduce((acc: number, c) => (c === "auto" ? acc : acc * Math.max(1, ...c)), 1);
  let budget = Math.max(1, limit / itemsize(dtype) / fixed);
  let free = [...autoAxes];
  // Axes shorter than the ideal size are taken whole; the rest share the remaining budget.
  for (;;) {
    const ideal = budget ** (1 / Math.max(1, free.length));
    const small = free.filter((a) => (shape[a] ?? 0) <= ideal);
    if (small.length === 0 || free.length === 0) {
      for (const a of free) out[a] = regularChunks(shape[a] ?? 0, Math.max(1, Math.floor(ideal)));
      break;
    }
    for (const a of small) {
      out[a] = [shape[a] ?? 0];
      budget /= Math.max(1, shape[a] ?? 1);
    }
    free = free.filter((a) => !small.includes(a));
  }
}

/** Start offsets of each block (length n+1, last = axis length). */
export function blockOffsets(sizes: readonly number[]): number[] {
  const o = [0];
  for (const s of sizes) o.push((o[o.length - 1] ?? 0) + s);
  return o;
}

export const numBlocks = (chunks: Chunks): number[] => chunks.map((c) => c.length);

/** The block sizes shared by several chunkings of one axis: the union of their boundaries. */
export function commonBlocks(chunkings: readonly (readonly number[])[]): number[] {
  if (chunkings.length === 0) return [];
  const first = chunkings[0]!;
  if (chunkings.every((c) => c.length === first.length && c.every((v, i) => v === first[i]))) return [...first];
  const bounds = new Set<number>();
  for (const c of chunkings) for (const b of blockOffsets(c)) bounds.add(b);
  const sorted = [...bounds].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 1; i < sorted.length; i++) out.push(sorted[i]! - sorted[i - 1]!);
  return out.length ? out : [0];
}

export function chunksEqual(a: Chunks, b: Chunks): boolean {
  return a.length === b.length && a.every((c, i) => c.length === b[i]!.length && c.every((v, j) => v === b[i]![j]));
}

/** The shape of block `index`. */
export const blockShape = (chunks: Chunks, index: readonly number[]): number[] => chunks.map((c, i) => c[index[i] ?? 0] ?? 0);

/** Iterates all block indices in row-major order. */
export function* blockIndices(numblocks: readonly number[]): Generator<number[]> {
  const n = numblocks.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(numblocks.length).fill(0);
  for (let k = 0; k < n; k++) {
    yield [...idx];
    for (let d = numblocks.length - 1; d >= 0; d--) {
      if (++idx[d]! < numblocks[d]!) break;
      idx[d] = 0;
    }
  }
}
