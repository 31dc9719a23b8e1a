/**
 * Arrays over chunk sources, and writing arrays to chunk sinks. Reads and writes are async I/O tasks on
 * the main thread (Zarr and sharp do their own work off it); blocks follow the source's chunks (rechunk
 * after, if asked) and writes follow the sink's (the array is rechunked to them first).
 */
import { TesseraError, blockShape, chunksEqual, itemsize, sizeOf, type ChunkSink, type ChunkSource, type ChunkSpec } from "@tessera/core";
import { layerKeys, makeLayer } from "@tessera/graph";
import { LazyArray } from "./array.js";
import { runGraph } from "./compute.js";
import type { ComputeOptions } from "./config.js";
import { layerName } from "./layers.js";

/** A lazy array whose blocks are the source's chunks (rechunked to `chunks` when given). */
export function fromSource(source: ChunkSource, options: { chunks?: ChunkSpec } = {}): LazyArray {
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
