/** I/O kernels: read a block from a ChunkSource, write one to a ChunkSink (both held in the graph's constants). */
import { TesseraError, blockShape, emptyTile, isTile, shapesEqual, tileFromUser, type ChunkSink, type ChunkSource, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";
import { asTile } from "./values.js";

/** Reads a block; what the source returns is checked against the block's shape and the source's dtype. */
export async function sourceReadKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const source = ctx.constants.get(attrs["ref"] as string) as ChunkSource | undefined;
  if (!source) throw new Error(`source-read: no source registered under ${String(attrs["ref"])}`);
  const index = attrs["index"] as number[];
  const want = blockShape(source.chunks, index);
  const v: unknown = await source.read(index);
  const where = `source ${source.token}: read of block [${index.join(", ")}]`;
  if (!isTile(v)) return tileFromUser(v, want, source.dtype, where);
  if (!shapesEqual(v.shape, want) || v.dtype !== source.dtype) {
    throw new TesseraError("ShapeMismatch", `${where} returned shape (${v.shape.join(", ")}) ${v.dtype}; the source declares (${want.join(", ")}) ${source.dtype} for it`);
  }
  return v;
}

/** Writes the block; its value is an empty tile (writes are run for their effect). */
export async function sinkWriteKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const sink = ctx.constants.get(attrs["ref"] as string) as ChunkSink | undefined;
  if (!sink) throw new Error(`sink-write: no sink registered under ${String(attrs["ref"])}`);
  await sink.write(attrs["index"] as number[], asTile(inputs[0], "sink-write"));
  return emptyTile("uint8", [0]);
}
