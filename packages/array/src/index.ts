/**
 * @tessera/array: the lazy chunked array (`LazyArray`) and its NumPy-like API, with Dask's semantics:
 * chunks, laziness, reductions with `axis` and `keepdims`, `rechunk`, `mapBlocks`, `compute`, `persist`.
 * Import it through the `tessera` package, which also registers the schedulers.
 *
 * @example
 * ```ts
 * import { arange, compute } from "tessera";
 * const x = arange(0, 24, 1, { chunks: 5 }).reshape([2, 3, 4]);
 * const [m, s] = await compute(x.mean({ axis: 0 }), x.std({ ddof: 1 }));
 * ```
 */
import type { Dense } from "@tessera/core";
import { LazyArray } from "./array.js";
import { computeAll } from "./compute.js";
import type { ComputeOptions } from "./config.js";
import { Delayed } from "./delayed.js";

export { LazyArray } from "./array.js";
export { registerScheduler, setDefaults, getDefaults, resolveScheduler, type ComputeOptions, type SchedulerFactory } from "./config.js";
export { optimize, persist, runGraph, type BlockResult, type OptimizeOptions } from "./compute.js";
export {
  asarray,
  full,
  zeros,
  ones,
  empty,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  random,
  fromFunction,
  type CreateOptions,
  type NestedArray,
  type RandomOptions,
  type BlockInfo,
} from "./creation.js";
export {
  elementwise,
  add,
  sub,
  mul,
  div,
  floorDivide,
  mod,
  pow,
  subtract,
  multiply,
  divide,
  power,
  minimum,
  maximum,
  arctan2,
  hypot,
  equal,
  notEqual,
  less,
  lessEqual,
  greater,
  greaterEqual,
  logicalAnd,
  logicalOr,
  logicalXor,
  logicalNot,
  bitwiseAnd,
  bitwiseOr,
  bitwiseXor,
  negative,
  abs,
  sqrt,
  square,
  sign,
  exp,
  expm1,
  log,
  log1p,
  log2,
  log10,
  sin,
  cos,
  tan,
  arcsin,
  arccos,
  arctan,
  sinh,
  cosh,
  tanh,
  arcsinh,
  arccosh,
  arctanh,
  floor,
  ceil,
  trunc,
  rint,
  round,
  isnan,
  isinf,
  isfinite,
  where,
  clip,
  astype,
  type ArrayInput,
} from "./elementwise.js";
export { slice, getitem, take, type Slice, type SelectionItem } from "./indexing.js";
export { reshape } from "./reshape.js";
export { transpose, moveaxis, squeeze, expandDims, broadcastTo, concatenate, stack } from "./manipulation.js";
export { rechunk, planRechunk, directTaskBytes, intermediateChunks, type RechunkOptions } from "./rechunk.js";
export { reduce, cumulative, reduceDtype, type ReduceKind, type ReduceOptions, type VarOptions } from "./reductions.js";
export { reduction, type ReductionOptions, type ReductionFn, type ReductionContext } from "./user-reduction.js";
export { mapBlocks, blockwise, type MapBlocksOptions, type BlockwiseOptions, type BlockFunction, type ModuleFunction } from "./blockwise.js";
export { delayed, fromDelayed, Delayed, type DelayedOptions } from "./delayed.js";
export type { BlockValue } from "@tessera/core";
export { fromSource, storeBlocks } from "./io.js";

/**
 * Computes arrays and delayed values in one run, sharing common work:
 * `const [a, b] = await compute(x.mean(), y.std(), { scheduler: "sync" })`.
 */
export async function compute(...items: (LazyArray | Delayed | ComputeOptions)[]): Promise<(Dense | unknown)[]> {
  const last = items[items.length - 1];
  const options = last !== undefined && !(last instanceof LazyArray) && !(last instanceof Delayed) ? (items.pop() as ComputeOptions) : {};
  return computeAll(items as (LazyArray | Delayed)[], options);
}
