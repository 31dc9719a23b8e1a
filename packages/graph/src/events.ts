/** Typed events for every task: progress bars, profiles and benchmarks all listen to these. */
import type { Graph, Key, Placement } from "./task.js";

export interface TaskStartEvent {
  readonly type: "task-start";
  readonly key: Key;
  readonly op: string;
  readonly placement: Placement;
  readonly nbytes: number;
}

export interface TaskEndEvent {
  readonly type: "task-end";
  readonly key: Key;
  readonly op: string;
  readonly placement: Placement;
  readonly nbytes: number;
  readonly backend: string;
  readonly ms: number;
  /** Bytes of results held after the task (thread scheduler). */
  readonly held?: number;
  /** Which worker ran it: its number in the pool, 0 .. workers - 1 (thread scheduler; absent for tasks run on the main thread). */
  readonly worker?: number;
}

/** A held result dropped to stay under the memory limit; it is recomputed from its sources when needed. */
export interface EvictEvent {
  readonly type: "evict";
  readonly key: Key;
  readonly nbytes: number;
}

export interface ComputeStartEvent {
  readonly type: "compute-start";
  readonly tasks: number;
}

export interface ComputeEndEvent {
  readonly type: "compute-end";
  readonly tasks: number;
  readonly ms: number;
  /** Set when the compute failed or was aborted. */
  readonly failed?: boolean;
}

export type SchedulerEvent = TaskStartEvent | TaskEndEvent | ComputeStartEvent | ComputeEndEvent | EvictEvent;
export type EventListener = (e: SchedulerEvent) => void;

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onEvent?: EventListener;
  /**
   * Called with each output as soon as it is computed (in completion order). When it returns a
   * promise, the scheduler waits for it (backpressure for streaming consumers).
   */
  readonly onOutput?: (key: Key, value: unknown) => void | Promise<void>;
  /** Keep outputs in the returned map (default true; streaming consumers turn it off). */
  readonly retainOutputs?: boolean;
  /**
   * The outputs are consumed in the order of `graph.outputs`, each when the promise `onOutput` returned for it
   * resolves: run only the work of the next `outputWindow` outputs not yet consumed, and do not pause on those
   * promises (a streaming consumer then holds a bounded number of blocks ahead, however fast the graph runs).
   */
  readonly outputWindow?: number;
}

/** What runs a lowered graph: the synchronous scheduler, the thread pool, a distributed engine. */
export interface Scheduler {
  readonly name: string;
  run(graph: Graph, options?: RunOptions): Promise<Map<Key, unknown>>;
}
