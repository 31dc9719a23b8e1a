/** I/O kernels: read a block from a ChunkSource, write one to a ChunkSink (both held in the graph's constants). */
import { TesseraError, blockShape, bufferId, contiguousTile, emptyTile, isTile, shapesEqual, tileFromUser, type ChunkSink, type ChunkSource, type Tile } from "@tessera/core";
import { materialize } from "../tiles.js";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";
import { asTile } from "./values.js";

/** The source or sink a task names (held in the graph's constants). */
function registered<T>(attrs: Attrs, ctx: KernelContext, op: string): T {
  const v = ctx.constants.get(attrs["ref"] as string);
  if (!v) throw new Error(`${op}: nothing registered under ${String(attrs["ref"])}`);
  return v as T;
}

/** Reads a block; what the source returns is checked against the block's shape and the source's dtype. */
export async function sourceReadKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const source = registered<ChunkSource>(attrs, ctx, "source-read");
  const index = attrs["index"] as number[];
  const want = blockShape(source.chunks, index);
  const v: unknown = await source.read(index, { alloc: ctx.alloc });
  const where = `source ${source.token}: read of block [${index.join(", ")}]`;
  if (!isTile(v)) {
    const t = tileFromUser(v, want, source.dtype, where);
    // The engine may move a block's buffer to a worker: a view of part of a buffer is copied first, so that
    // the rest of that buffer (the source's own memory) is never moved with it.
    return t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength ? t : { ...t, data: t.data.slice() };
  }
  if (!shapesEqual(v.shape, want) || v.dtype !== source.dtype) {
    throw new TesseraError("ShapeMismatch", `${where} returned shape (${v.shape.join(", ")}) ${v.dtype}; the source declares (${want.join(", ")}) ${source.dtype} for it`);
  }
  return v;
}

/** Writes the block; its value is an empty tile (writes are run for their effect). */
export async function sinkWriteKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const sink = registered<ChunkSink>(attrs, ctx, "sink-write");
  const t = asTile(inputs[0], "sink-write");
  // A sink may keep what it is given (an in-memory store): never pooled memory, which the engine reuses.
  await sink.write(attrs["index"] as number[], bufferId(t.data.buffer) === undefined ? t : materialize(t));
  return emptyTile("uint8", [0]);
}

/** Fetches a block's bytes (a 1-d uint8 tile; empty when the source has none for it: a missing chunk). */
export async function sourceFetchKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const source = registered<ChunkSource>(attrs, ctx, "source-fetch");
  if (!source.fetch) throw new Error("source-fetch: the source has no fetch method");
  const fetched = await source.fetch(attrs["index"] as number[]);
  // A copy: the bytes may be the store's own memory (an in-memory store), which a move to a worker would detach.
  const bytes = fetched ? fetched.slice() : new Uint8Array(0);
  return contiguousTile(bytes, [bytes.length], "uint8");
}

/** Stores a block's encoded bytes; its value is an empty tile. */
export async function sinkPutKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const sink = registered<ChunkSink>(attrs, ctx, "sink-put");
  if (!sink.put) throw new Error("sink-put: the sink has no put method");
  const t = asTile(inputs[0], "sink-put");
  await sink.put(attrs["index"] as number[], new Uint8Array(t.data.buffer, t.data.byteOffset + t.offset, t.shape[0]!));
  return emptyTile("uint8", [0]);
}
