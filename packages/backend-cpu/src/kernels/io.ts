/** I/O kernels: read a block from a ChunkSource, write one to a ChunkSink (both held in the graph's constants). */
import { emptyTile, type ChunkSink, type ChunkSource, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";
import { asTile } from "./values.js";

export function sourceReadKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const source = ctx.constants.get(attrs["ref"] as string) as ChunkSource | undefined;
  if (!source) throw new Error(`source-read: no source registered under ${String(attrs["ref"])}`);
  return source.read(attrs["index"] as number[]);
}

/** Writes the block; its value is an empty tile (writes are run for their effect). */
export async function sinkWriteKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const sink = ctx.constants.get(attrs["ref"] as string) as ChunkSink | undefined;
  if (!sink) throw new Error(`sink-write: no sink registered under ${String(attrs["ref"])}`);
  await sink.write(attrs["index"] as number[], asTile(inputs[0], "sink-write"));
  return emptyTile("uint8", [0]);
}
