/**
 * @tessera/graph: keys, tasks and layers, and the passes that turn a layer graph into tasks to run:
 * `lower` (culling to the requested outputs), `fuse` (blockwise fusion) and `order` (static priorities).
 *
 * @example
 * ```ts
 * import { makeLayer, lower, order, keyOf } from "@tessera/graph";
 * const src = makeLayer({ name: "src-1", numblocks: [2], deps: [], task: (i) => ({ op: "fill", args: [], attrs: { value: i[0] ?? 0 }, placement: "cpu", nbytes: 8 }) });
 * const g = lower([src], [keyOf("src-1", [1])]); // one task: culled to the requested block
 * order(g);                                      // ["src-1:1"]
 * ```
 */
export { keyOf, parseKey, type Json, type Attrs, type Key, type Placement, type TaskSpec, type Task, type FusedStep, type Graph } from "./task.js";
export { makeLayer, layerKeys, collectLayers, type Layer, type LayerInit } from "./layer.js";
export { lower, dependents, dependentCounts } from "./lower.js";
export { fuse, type FuseOptions } from "./fuse.js";
export { order, priorities, firstOutputs } from "./order.js";
export type {
  SchedulerEvent,
  TaskStartEvent,
  TaskEndEvent,
  ComputeStartEvent,
  ComputeEndEvent,
  EvictEvent,
  EventListener,
  RunOptions,
  Scheduler,
} from "./events.js";
