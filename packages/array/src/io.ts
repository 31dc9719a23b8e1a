/**
 * Arrays over chunk sources, and writing arrays to chunk sinks. Reads and writes are async I/O tasks on
 * the main thread (Zarr and sharp do their own work off it); blocks follow the source's chunks (rechunk
 * after, if asked) and writes follow the sink's (the array is rechunked to them first).
 */
import { DTYPES, TesseraError, blockShape, chunksEqual, isDType, itemsize, show, sizeOf, type ChunkSink, type ChunkSource, type ChunkSpec } from "@tessera/core";
import { keyOf, layerKeys, makeLayer, type Layer } from "@tessera/graph";
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
  const numblocks = source.chunks.map((c) => c.length);
  const bytes = (index: readonly number[]): number => sizeOf(blockShape(source.chunks, index)) * size;
  const constants = new Map([[ref, source]]);
  let layer: Layer;
  if (source.load) {
    // Read by a module kernel on any thread, in the task that consumes the block (fusion).
    const load = source.load;
    layer = makeLayer({
      name: layerName("load", source.token),
      numblocks,
      deps: [],
      task: (index) => ({ op: "module-kernel", args: [], attrs: { module: load.module, export: load.export, params: { ...load.params, index: [...index] } }, placement: "cpu", nbytes: bytes(index) }),
    });
  } else if (typeof source.fetch === "function" && source.decode) {
    // Bytes fetched on the main thread, decoded on any thread (the fetched size is not known: bounded by the block's).
    const decode = source.decode;
    const fetched = makeLayer({ name: layerName("fetch", source.token), numblocks, deps: [], constants, task: (index) => ({ op: "source-fetch", args: [], attrs: { ref, index: [...index] }, placement: "io", nbytes: bytes(index) }) });
    layer = makeLayer({
      name: layerName("decode", source.token),
      numblocks,
      deps: [fetched],
      task: (index) => ({ op: "module-kernel", args: [keyOf(fetched.name, index)], attrs: { module: decode.module, export: decode.export, params: { ...decode.params, index: [...index] } }, placement: "cpu", nbytes: bytes(index) }),
    });
  } else {
    layer = makeLayer({ name: layerName("read", source.token), numblocks, deps: [], constants, task: (index) => ({ op: "source-read", args: [], attrs: { ref, index: [...index] }, placement: "io", nbytes: bytes(index) }) });
  }
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
  const constants = new Map([[ref, sink]]);
  let layer: Layer;
  if (typeof sink.put === "function" && sink.encode) {
    // Encoded on any thread, stored on the main thread.
    const encode = sink.encode;
    const size = itemsize(y.dtype);
    const encoded = makeLayer({
      name: layerName("encode", y.layer.name, sink.token),
      numblocks: y.layer.numblocks,
      deps: [y.layer],
      task: (index) => ({ op: "module-kernel", args: [keyOf(y.layer.name, index)], attrs: { module: encode.module, export: encode.export, params: { ...encode.params, index: [...index] } }, placement: "cpu", nbytes: sizeOf(blockShape(y.chunks, index)) * size }),
    });
    layer = makeLayer({ name: layerName("put", encoded.name), numblocks: y.layer.numblocks, deps: [encoded], constants, task: (index) => ({ op: "sink-put", args: [keyOf(encoded.name, index)], attrs: { ref, index: [...index] }, placement: "io", nbytes: 0 }) });
  } else {
    layer = makeLayer({
      name: layerName("write", y.layer.name, sink.token),
      numblocks: y.layer.numblocks,
      deps: [y.layer],
      task: (index) => ({ op: "sink-write", args: [keyOf(y.layer.name, index)], attrs: { ref, index: [...index] }, placement: "io", nbytes: 0 }),
      constants,
    });
  }
  await runGraph([layer], layerKeys(layer), options, { retainOutputs: false });
}
