/**
 * Rechunking with a memory-aware plan (the idea of dask's `plan_rechunk`). A direct rechunk makes each
 * new block from the old blocks that overlap it; when that would make a task hold more than
 * `blockLimit` bytes (old rows feeding new columns, say), the plan goes through an intermediate
 * chunking that first only splits (each intermediate block lies in one old block) and then only merges
 * (each new block gathers intermediate blocks that do not straddle it), so every task holds about one
 * old and one new block.
 */
import { TesseraError, autoChunkBytes, blockOffsets, blockShape, chunksEqual, itemsize, normalizeChunks, sizeOf, show, type ChunkSpec, type Chunks } from "@tessera/core";
import { keyOf, makeLayer, type Key } from "@tessera/graph";
import { LazyArray } from "./array.js";
import { layerName } from "./layers.js";

export interface RechunkOptions {
  /** The most bytes one task may hold (inputs + output); default max(128 MiB auto-chunk size, 2 x largest block). */
  readonly blockLimit?: number;
}

/** Per axis and per new block: the overlapping old blocks as [oldBlock, start in old, start in new, length]. */
function overlaps(oldC: readonly number[], newC: readonly number[]): [number, number, number, number][][] {
  const oo = blockOffsets(oldC);
  const no = blockOffsets(newC);
  const out: [number, number, number, number][][] = [];
  let j = 0;
  for (let b = 0; b < newC.length; b++) {
    const lo = no[b]!;
    const hi = no[b + 1]!;
    const pieces: [number, number, number, number][] = [];
    while (j < oldC.length - 1 && oo[j + 1]! <= lo) j++;
    if (hi === lo) pieces.push([Math.min(j, oldC.length - 1), 0, 0, 0]);
    for (let k = j; k < oldC.length && oo[k]! < hi; k++) {
      const s = Math.max(lo, oo[k]!);
      const e = Math.min(hi, oo[k + 1]!);
      if (e > s) pieces.push([k, s - oo[k]!, s - lo, e - s]);
    }
    out.push(pieces);
  }
  return out;
}

/** The largest bytes a direct old -> new step makes one task hold. */
export function directTaskBytes(oldC: Chunks, newC: Chunks, size: number): number {
  const perAxis = oldC.map((c, d) => overlaps(c, newC[d]!).map((ps) => ps.reduce((acc, [k]) => acc + c[k]!, 0)));
  const inBytes = perAxis.reduce((acc, v) => acc * Math.max(...v, 0), size);
  const outBytes = newC.reduce((acc, c) => acc * Math.max(...c, 0), size);
  return inBytes + outBytes;
}

/** The intermediate chunking of a two-step plan: split axes take both boundaries, merge axes keep the old. */
export function intermediateChunks(oldC: Chunks, newC: Chunks): number[][] {
  return oldC.map((c, d) => {
    const n = newC[d]!;
    if (Math.max(...n) >= Math.max(...c)) return [...c];
    const bounds = [...new Set([...blockOffsets(c), ...blockOffsets(n)])].sort((a, b) => a - b);
    const out: number[] = [];
    for (let i = 1; i < bounds.length; i++) out.push(bounds[i]! - bounds[i - 1]!);
    return out.length ? out : [0];
  });
}

/** The chunkings a rechunk goes through, first to last (old excluded). */
export function planRechunk(oldC: Chunks, newC: Chunks, size: number, limit: number): Chunks[] {
  if (directTaskBytes(oldC, newC, size) <= limit) return [newC];
  const mid = intermediateChunks(oldC, newC);
  if (chunksEqual(mid, oldC) || chunksEqual(mid, newC)) return [newC];
  return [mid, newC];
}

function rechunkStep(x: LazyArray, chunks: Chunks): LazyArray {
  const per = x.chunks.map((c, d) => overlaps(c, chunks[d]!));
  const name = layerName("rechunk", x.layer.name, chunks);
  const src = x.layer.name;
  const size = itemsize(x.dtype);
  const layer = makeLayer({
    name,
    numblocks: chunks.map((c) => c.length),
    deps: [x.layer],
    task: (index) => {
      const axes = index.map((b, d) => per[d]![b]!);
      const args: Key[] = [];
      const argIndex = new Map<Key, number>();
      const pieces: { arg: number; src: number[]; dst: number[]; shape: number[] }[] = [];
      // Cartesian product of the per-axis overlaps.
      const walk = (d: number, blk: number[], srcS: number[], dst: number[], shp: number[]): void => {
        if (d === axes.length) {
          const k = keyOf(src, blk);
          let a = argIndex.get(k);
          if (a === undefined) {
            a = args.length;
            args.push(k);
            argIndex.set(k, a);
          }
          pieces.push({ arg: a, src: srcS, dst, shape: shp });
          return;
        }
        for (const [ob, s, t, n] of axes[d]!) walk(d + 1, [...blk, ob], [...srcS, s], [...dst, t], [...shp, n]);
      };
      walk(0, [], [], [], []);
      const shape = blockShape(chunks, index);
      const only = pieces.length === 1 ? pieces[0]! : undefined;
      if (only) {
        // A block inside one old block (a split): a view of it, no copy and no memory of its own.
        const items = only.src.map((start, d) => ({ start, step: 1, count: only.shape[d]! }));
        return { op: "slice", args, attrs: { items, newAxes: [] }, placement: "cpu", nbytes: sizeOf(shape) * size, memory: 0 };
      }
      return { op: "assemble", args, attrs: { shape, dtype: x.dtype, pieces }, placement: "cpu", nbytes: sizeOf(shape) * size };
    },
  });
  return new LazyArray(layer, x.shape, x.dtype, chunks);
}

/** Rechunks `x` to `spec` (any chunk spec; `{ axis: spec }` changes only the named axes). */
export function rechunk(x: LazyArray, spec: ChunkSpec, options: RechunkOptions = {}): LazyArray {
  const chunks = normalizeChunks(spec, x.shape, x.dtype, { previous: x.chunks, argument: "rechunk(chunks)" });
  if (chunksEqual(chunks, x.chunks)) return x;
  const size = itemsize(x.dtype);
  const biggest = (c: Chunks): number => c.reduce((acc, a) => acc * Math.max(...a, 0), size);
  const limit = options.blockLimit ?? Math.max(autoChunkBytes(), 2 * Math.max(biggest(x.chunks), biggest(chunks)));
  if (!(limit > 0)) throw new TesseraError("ChunkSpecError", `rechunk(blockLimit): ${show(limit)} must be a positive number of bytes`);
  let y = x;
  for (const step of planRechunk(x.chunks, chunks, size, limit)) y = rechunkStep(y, step);
  return y;
}
