/**
 * tessera: chunked, lazy n-dimensional arrays for Node.js, with Dask's semantics. Importing this
 * package registers the schedulers it ships ("threads": worker threads under a memory limit, the default;
 * "sync": everything in order on the main thread) with the CPU kernels; `setDefaults` changes the defaults
 * once for the process.
 *
 * @example
 * ```ts
 * import { arange, compute, slice } from "tessera";
 * const x = arange(0, 24, 1, { chunks: 5 }).reshape([2, 3, 4]);   // lazy
 * const s = x.sum({ axis: [0, 2], keepdims: true });               // lazy
 * const r = await s.compute();                                     // { data, shape: [1, 3, 1], dtype: "int64" }
 * const y = x.get([null, slice(null, null, -1), 2]);
 * const [a, b] = await compute(x.mean({ axis: 0 }), x.std({ ddof: 1 }));
 * ```
 */
import { fromSource, registerScheduler, setDefaults, storeBlocks, type ComputeOptions, type LazyArray } from "@tessera/array";
import { TesseraError, TilePool, type ChunkSpec } from "@tessera/core";
import { checkImageArray, hugeImage, imageFormat, imageStack, resolveFiles, writeImage, type StackOptions, type WriteImageOptions } from "@tessera/io-image";
import { createZarr, openZarr, regionSink, type CodecName, type CodecSpec, type OpenZarrOptions, type StoreLike } from "@tessera/store";
import type { Scheduler } from "@tessera/graph";
import { cpuBackend } from "@tessera/backend-cpu";
import { progressBar, syncScheduler, threadScheduler, WorkerPool } from "@tessera/scheduler";
import { availableParallelism } from "node:os";

/** One pool of workers per size, shared by every compute (idle workers never keep Node alive). */
const pools = new Map<number, WorkerPool>();
function poolOf(size: number): WorkerPool {
  let p = pools.get(size);
  if (!p) pools.set(size, (p = new WorkerPool(cpuBackend.workerEntry!, size)));
  return p;
}

/** The main thread's tile pool, shared by every compute so that memory is reused from one compute to the next. */
let mainTiles: TilePool | undefined;
const tilesOf = (): TilePool => (mainTiles ??= new TilePool());

/** Adds a progress bar to a scheduler: when asked (`progress: true`), or on a terminal for long computes. */
function withProgress(s: Scheduler, o: ComputeOptions): Scheduler {
  const show = o.progress ?? Boolean(process.stderr.isTTY);
  if (!show) return s;
  return {
    name: s.name,
    run: (graph, ro = {}) => {
      const bar = progressBar({ delayMs: o.progress === true ? 0 : 1000 });
      const user = ro.onEvent;
      return s.run(graph, {
        ...ro,
        onEvent: (e) => {
          bar(e);
          user?.(e);
        },
      });
    },
  };
}

registerScheduler("sync", (o) => withProgress(syncScheduler(cpuBackend, { pool: tilesOf() }), o));
registerScheduler("threads", (o) => {
  const workers = o.workers ?? availableParallelism();
  return withProgress(threadScheduler({
    backend: cpuBackend,
    workers,
    ...(workers > 0 ? { pool: poolOf(workers) } : {}),
    tilePool: tilesOf(),
    ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}),
    ...(o.inlineBytes !== undefined ? { inlineBytes: o.inlineBytes } : {}),
  }), o);
});
setDefaults({ scheduler: "threads" });

/**
 * A lazy array over a Zarr array (v2 or v3) in a directory or any store with `get` (e.g. `@zarrita/storage`'s
 * FetchStore): blocks are its chunks (or `chunks`). float16 arrays read as float32.
 */
export async function fromZarr(target: StoreLike, options: OpenZarrOptions & { chunks?: ChunkSpec } = {}): Promise<LazyArray> {
  const source = await openZarr(target, options);
  return fromSource(source, options.chunks !== undefined ? { chunks: options.chunks } : {});
}

export interface ToZarrOptions extends ComputeOptions {
  readonly path?: string;
  /** The Zarr chunk shape: a size for every axis or one per axis (default: the array's largest blocks). */
  readonly chunks?: number | readonly number[];
  readonly codec?: CodecSpec | CodecName;
  readonly zarrFormat?: 2 | 3;
  readonly overwrite?: boolean;
  readonly attributes?: Record<string, unknown>;
  /** The array's fill value: what readers return for chunks that are missing (default 0). */
  readonly fillValue?: number;
}

/**
 * Writes `x` as a Zarr array (v3 by default), each chunk written once, compressed, to a temporary name and
 * renamed, so a failed or aborted compute leaves no torn chunk. Blocks are rechunked to the Zarr chunks.
 */
export async function toZarr(x: LazyArray, target: StoreLike, options: ToZarrOptions = {}): Promise<void> {
  const c = options.chunks;
  const chunkShape = c === undefined ? x.chunksize : typeof c === "number" ? x.shape.map(() => c) : [...c];
  if (chunkShape.length !== x.ndim || chunkShape.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new TesseraError("ChunkSpecError", `toZarr(chunks): ${JSON.stringify(c)} must be a positive integer or one per axis (${x.ndim})`);
  }
  const sink = await createZarr(target, {
    shape: x.shape,
    dtype: x.dtype,
    chunkShape,
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.codec !== undefined ? { codec: options.codec } : {}),
    ...(options.zarrFormat !== undefined ? { zarrFormat: options.zarrFormat } : {}),
    ...(options.overwrite !== undefined ? { overwrite: options.overwrite } : {}),
    ...(options.attributes !== undefined ? { attributes: options.attributes } : {}),
    ...(options.fillValue !== undefined ? { fillValue: options.fillValue } : {}),
  });
  await storeBlocks(x, sink, options);
}

/**
 * Writes `x` into a region of an existing Zarr array (dask's `store(regions=...)`): `region` gives [start, stop)
 * per axis, starting on chunk boundaries; chunks outside it are left as they are.
 */
export async function store(x: LazyArray, target: StoreLike, options: { path?: string; region: readonly (readonly [number, number])[] } & ComputeOptions): Promise<void> {
  const sink = await regionSink(target, options);
  if (sink.dtype !== x.dtype) throw new TesseraError("DTypeError", `store: the array is ${x.dtype} but the target holds ${sink.dtype}; cast first, e.g. x.astype("${sink.dtype}")`);
  await storeBlocks(x, sink, options);
}

/** A lazy (n, h, w, c) stack of images (a glob such as "cells/*.png", or paths), shapes from headers. */
export async function imread(files: string | readonly string[], options: StackOptions = {}): Promise<LazyArray> {
  return fromSource(await imageStack(await resolveFiles(files), options));
}

/** One image, possibly far larger than memory, as a lazy (h, w, c) array of region reads. */
export async function openImage(path: string, options: { tileSize?: number | readonly [number, number] } = {}): Promise<LazyArray> {
  return fromSource(await hugeImage(path, options));
}

/** Writes a (h, w) or (h, w, c) uint8/uint16 array as PNG, JPEG, WebP or TIFF (checked before computing). */
export async function imwrite(x: LazyArray, path: string, options: WriteImageOptions & ComputeOptions = {}): Promise<void> {
  checkImageArray(x.shape, x.dtype, imageFormat(path, options.format));
  await writeImage(await x.compute(options), path, options);
}

/** Stops the worker threads now and lets go of pooled tile memory (idle workers never keep Node alive; this frees them early). */
export async function shutdown(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  mainTiles = undefined;
  await Promise.all(all.map((p) => p.close()));
}

export {
  Delayed,
  LazyArray,
  abs,
  add,
  arange,
  arccos,
  arccosh,
  arcsin,
  arcsinh,
  arctan,
  arctan2,
  arctanh,
  asarray,
  astype,
  bitwiseAnd,
  bitwiseOr,
  bitwiseXor,
  blockwise,
  broadcastTo,
  ceil,
  clip,
  compute,
  concatenate,
  cos,
  cosh,
  cumulative,
  delayed,
  directTaskBytes,
  div,
  divide,
  elementwise,
  empty,
  equal,
  exp,
  expandDims,
  expm1,
  eye,
  floor,
  floorDivide,
  fromDelayed,
  fromFunction,
  fromSource,
  full,
  fullLike,
  getDefaults,
  getitem,
  greater,
  greaterEqual,
  hypot,
  intermediateChunks,
  isfinite,
  isinf,
  isnan,
  less,
  lessEqual,
  linspace,
  log,
  log10,
  log1p,
  log2,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  mapBlocks,
  maximum,
  minimum,
  mod,
  moveaxis,
  mul,
  multiply,
  negative,
  notEqual,
  ones,
  onesLike,
  optimize,
  persist,
  planRechunk,
  pow,
  power,
  random,
  rechunk,
  reduce,
  reduceDtype,
  reduction,
  registerScheduler,
  reshape,
  resolveScheduler,
  rint,
  round,
  runGraph,
  setDefaults,
  sign,
  sin,
  sinh,
  slice,
  sqrt,
  square,
  squeeze,
  stack,
  storeBlocks,
  sub,
  subtract,
  take,
  tan,
  tanh,
  transpose,
  trunc,
  where,
  zeros,
  zerosLike,
} from "@tessera/array";
export type {
  ArrayInput,
  BlockFunction,
  BlockInfo,
  BlockResult,
  BlockValue,
  BlockwiseOptions,
  ComputeOptions,
  CreateOptions,
  DelayedOptions,
  MapBlocksOptions,
  ModuleFunction,
  NestedArray,
  OptimizeOptions,
  RandomOptions,
  RechunkOptions,
  ReduceKind,
  ReduceOptions,
  ReductionContext,
  ReductionFn,
  ReductionOptions,
  SchedulerFactory,
  SelectionItem,
  Slice,
  VarOptions,
} from "@tessera/array";
export {
  TesseraError,
  isTesseraError,
  normalizeChunks,
  resultType,
  promoteTypes,
  canCast,
  broadcastShapes,
  setAutoChunkBytes,
  autoChunkBytes,
  DTYPES,
  type DType,
  type Dense,
  type TypedArray,
  type Chunks,
  type ChunkSpec,
  type Casting,
  type ErrorCode,
  type ChunkSource,
  type ChunkSink,
  type Tile,
} from "@tessera/core";
export type { StackOptions, WriteImageOptions, ImageFormat } from "@tessera/io-image";
export { AtomicFileStore, openZarr, createZarr, type CodecName, type CodecSpec, type StoreLike, type ZarrStore } from "@tessera/store";
export type { SchedulerEvent, TaskStartEvent, TaskEndEvent, EventListener, Scheduler, Graph, Task, Key } from "@tessera/graph";
export { syncScheduler, threadScheduler, WorkerPool, defaultMemoryLimit, profile, progressBar, type Profile, type ProfileSummary } from "@tessera/scheduler";
export { cpuBackend } from "@tessera/backend-cpu";
