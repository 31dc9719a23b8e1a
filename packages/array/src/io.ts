/**
 * Arrays over chunk sources, and writing arrays to chunk sinks. Reads and writes are async I/O tasks on
 * the main thread (Zarr and sharp do their own work off it); blocks follow the source's chunks (rechunk
 * after, if asked) and writes follow the sink's (the array is rechunked to them first).
 */
import { DTYPES, TesseraError, blockShape, chunksEqual, isDType, itemsize, show, sizeOf, type ChunkSink, type ChunkSource, type ChunkSpec } from "@tessera/core";
import { layerKeys, makeLayer } from "@tessera/graph";
import { LazyArray } from "./array.js";
import { runGraph } from "./compute.js";
import type { ComputeOptions } from "./config.js";
import { layerName } from "./layers.js";

/**
 * A lazy array whose blocks are the source's chunks (rechunked to `chunks` when given). Any object with
 * `shape`, `dtype`, `chunks`, a `token` naming the data and an async `read(index)` is a source; `read` returns
 * the block as a tile, a typed array or `{ data, shape, dtype }`, checked against the block's shape.
 */
export function fromSource(source: ChunkSource, options: { chunks?: ChunkSpec } = {}): LazyArray {
  checkSource(source);
  const ref = `source-${source.token}`;
  const size = itemsize(source.dtype);
  const layer = makeLayer({
    name: layerName("read", source.token),
    numblocks: source.chunks.map((c) => c.length),
    deps: [],
    task: (index) => ({ op: "source-read", args: [], attrs: { ref, index: [...index] }, placement: "io", nbytes: sizeOf(blockShape(source.chunks, index)) * size }),
    constants: new Map([[ref, source]]),
  });
  const x = new LazyArray(layer, source.shape, source.dtype, source.chunks);
  return options.chunks !== undefined ? x.rechunk(options.chunks) : x;
}

function checkSource(source: ChunkSource): void {
  const s = source as Partial<ChunkSource> | null;
  if (typeof s !== "object" || s === null || typeof s.read !== "function") throw new TesseraError("ValueError", "fromSource: the source must be an object with an async read(index) method");
  if (!Array.isArray(s.shape) || !s.shape.every((n) => Number.isInteger(n) && n >= 0)) throw new TesseraError("ShapeMismatch", `fromSource(shape): ${show(s.shape)} must be a list of non-negative integers`);
  if (!isDType(s.dtype)) throw new TesseraError("DTypeError", `fromSource(dtype): ${show(s.dtype)} is not a dtype; one of ${DTYPES.join(", ")}`);
  if (typeof s.token !== "string" || s.token === "") throw new TesseraError("ValueError", "fromSource(token): give a non-empty string that identifies the data (e.g. its path and version): arrays are keyed by it");
  const ok = Array.isArray(s.chunks) && s.chunks.length === s.shape.length && s.chunks.every((c, d) => Array.isArray(c) && c.every((b) => Number.isInteger(b) && b >= 0) && c.reduce((a, b) => a + b, 0) === s.shape![d]);
  if (!ok) throw new TesseraError("ChunkSpecError", `fromSource(chunks): ${show(s.chunks)} must give, per axis, block sizes that add up to the shape (${s.shape.join(", ")})`);
}

/** Writes every block of `x` to `sink` (rechunking to the sink's blocks first); resolves when all are written. */
export async function storeBlocks(x: LazyArray, sink: ChunkSink, options: ComputeOptions = {}): Promise<void> {
  if (sink.chunks.length !== x.ndim || sink.chunks.some((c, d) => c.reduce((a, b) => a + b, 0) !== x.shape[d])) {
    throw new TesseraError("ShapeMismatch", `store: the target holds shape (${sink.chunks.map((c) => c.reduce((a, b) => a + b, 0)).join(", ")}) but the array has shape (${x.shape.join(", ")})`);
  }
  const y = chunksEqual(x.chunks, sink.chunks) ? x : x.rechunk(sink.chunks);
  const ref = `sink-${sink.token}`;
  const layer = makeLayer({
    name: layerName("write", y.layer.name, sink.token),
    numblocks: y.layer.numblocks,
    deps: [y.layer],
    task: (index) => ({ op: "sink-write", args: [`${y.layer.name}:${index.join(",")}`], attrs: { ref, index: [...index] }, placement: "io", nbytes: 0 }),
    constants: new Map([[ref, sink]]),
  });
  await runGraph([layer], layerKeys(layer), options, { retainOutputs: false });
}
