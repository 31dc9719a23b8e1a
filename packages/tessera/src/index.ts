/**
 * tessera: chunked, lazy n-dimensional arrays for Node.js, with Dask's semantics. Importing this
 * package registers the schedulers it ships ("sync": everything in order on the main thread, with the
 * CPU kernels) and makes "sync" the default; `setDefaults` changes the defaults once for the process.
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
import { registerScheduler } from "@tessera/array";
import { cpuBackend } from "@tessera/backend-cpu";
import { syncScheduler } from "@tessera/scheduler";

registerScheduler("sync", () => syncScheduler(cpuBackend));

export * from "@tessera/array";
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
} from "@tessera/core";
export type { SchedulerEvent, TaskStartEvent, TaskEndEvent, EventListener, Scheduler, Graph, Task, Key } from "@tessera/graph";
export { syncScheduler } from "@tessera/scheduler";
export { cpuBackend } from "@tessera/backend-cpu";
