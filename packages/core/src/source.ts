/**
 * Where chunked data comes from and goes to (Zarr stores, images, anything): the engine only sees blocks.
 * Reads and writes run as async I/O tasks on the main thread; keeping I/O behind these two interfaces is
 * what lets the same graph run elsewhere later.
 */
import type { Chunks } from "./chunks.js";
import type { DType, TypedArray } from "./dtype.js";
import type { Dense, Tile } from "./tile.js";

export interface ChunkSource {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The source's own blocks (reads are aligned to them). */
  readonly chunks: Chunks;
  /** Identifies the data (path and metadata), for deterministic keys. */
  readonly token: string;
  /** Block `index` of `chunks`, exactly its shape: a tile (strided), or contiguous data (`{ data, shape, dtype }` or a typed array). */
  read(index: readonly number[]): Promise<Tile | Dense | TypedArray>;
}

export interface ChunkSink {
  /** The blocks the sink takes (writes are aligned to them). */
  readonly chunks: Chunks;
  readonly token: string;
  /** Writes block `index` completely (or not at all: a failed write leaves no partial chunk). */
  write(index: readonly number[], tile: Tile): Promise<void>;
}
