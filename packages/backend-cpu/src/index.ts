/**
 * @tessera/backend-cpu: the reference kernels, on typed arrays, for every op of the op table. Loops are
 * generated per (op, dtypes, rank) and cached; views (slicing, transposition, broadcasting) are free.
 *
 * @example
 * ```ts
 * import { cpuBackend, ewTiles } from "@tessera/backend-cpu";
 * import { contiguousTile } from "@tessera/core";
 * const t = contiguousTile(new Float32Array([1, 2, 3]), [3]);
 * ewTiles("mul", "float32", [t, 2]).data; // Float32Array [2, 4, 6]
 * cpuBackend.kernel("ew");               // the kernel behind every elementwise task
 * ```
 */
export { cpuBackend } from "./backend.js";
export { ewTiles } from "./kernels/elementwise.js";
export { reduceChunk, combine, aggregate, type ReduceKind } from "./kernels/reduce.js";
export { copyInto, materialize, contiguous, compact, region, reshapeTile, broadcastStrides } from "./tiles.js";
export { uniform01, normal01 } from "./random.js";
export type { Callable } from "./kernels/call.js";
export type { SliceItem } from "./kernels/views.js";
export type { Piece } from "./kernels/assemble.js";
