/**
 * Where chunked data comes from and goes to (Zarr stores, images, anything): the engine only sees blocks.
 * Reads and writes run as async I/O tasks on the main thread; keeping I/O behind these two interfaces is
 * what lets the same graph run elsewhere later.
 */
import type { Chunks } from "./chunks.js";
import type { DType, TypedArray } from "./dtype.js";
import type { Allocator } from "./pool.js";
import type { Dense, Tile } from "./tile.js";

/**
 * A function exported by a module (a file URL or a package specifier that resolves in a worker), run as a
 * task on any thread: `fn(inputs, params, { alloc })` with the task's input tiles, `params` plus `{ index }`
 * (the block) and the task's allocator, returning a tile. Sources and sinks use it to move codec work and
 * reads off the main thread. Input tiles may be pooled memory that the engine reuses after the task: a
 * kernel must not keep references to them.
 */
export interface ModuleKernelRef {
  readonly module: string;
  readonly export: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** What the engine hands a read: where to put the block (pooled memory the engine reuses once it is done with it). */
export interface ReadContext {
  readonly alloc: Allocator;
}

export interface ChunkSource {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The source's own blocks (reads are aligned to them). */
  readonly chunks: Chunks;
  /** Identifies the data (path and metadata), for deterministic keys. */
  readonly token: string;
  /**
   * Block `index` of `chunks`, exactly its shape: a tile (strided), or contiguous data (`{ data, shape, dtype }`
   * or a typed array). The engine takes the memory (it may move it to a worker thread, detaching it here):
   * return a buffer the source does not keep using (a view of part of a buffer is copied for you).
   */
  read(index: readonly number[], ctx?: ReadContext): Promise<Tile | Dense | TypedArray>;
  /**
   * Optional, together with `decode`: reading split in two, the bytes of block `index` fetched on the main
   * thread (undefined when missing), then decoded by `decode` on any thread (given those bytes as a 1-d
   * uint8 tile, empty when missing). The engine uses these instead of `read` when both are there.
   */
  fetch?(index: readonly number[]): Promise<Uint8Array | undefined>;
  readonly decode?: ModuleKernelRef;
  /**
   * Optional: a module kernel that reads block `index` by itself on any thread (no inputs; `params` plus
   * `{ index }`), into memory from the allocator it is given (e.g. an uncompressed chunk file read straight
   * into a pooled tile). Preferred over `fetch`/`decode` and `read`: it runs in the task that consumes the
   * block, and the graph names it by data (it can run in another process).
   */
  readonly load?: ModuleKernelRef;
}

/**
 * Where blocks go. A tile or bytes given to `write` or `put` are the sink's to keep (pooled memory is copied for
 * it: the engine reuses its own once the write has finished).
 */
export interface ChunkSink {
  /** The blocks the sink takes (writes are aligned to them). */
  readonly chunks: Chunks;
  readonly token: string;
  /** Writes block `index` completely (or not at all: a failed write leaves no partial chunk). */
  write(index: readonly number[], tile: Tile): Promise<void>;
  /**
   * Optional, together with `put`: writing split in two, the block encoded to bytes by `encode` on any
   * thread (it returns a 1-d uint8 tile), then stored by `put` on the main thread (completely or not at all).
   */
  readonly encode?: ModuleKernelRef;
  put?(index: readonly number[], bytes: Uint8Array): Promise<void>;
}
