/**
 * Tasks are data: an op name, the keys of their inputs, JSON attributes, a placement and a byte
 * estimate. Never a closure: a task crosses `worker_threads` by structured clone, prints and replays.
 * Values a task needs that are not JSON (in-memory arrays, user functions) live in the graph's
 * `constants`, named by a `ref` attribute.
 */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };
export type Attrs = { readonly [k: string]: Json };

/** A key names one block of one layer: `name:i,j,k`. Names are `op-token`, tokens are content hashes. */
export type Key = string;

/** Where a task runs: on a CPU worker, on the main thread (user closures), or as main-thread async I/O. */
export type Placement = "cpu" | "main" | "io";

export interface TaskSpec {
  readonly op: string;
  readonly args: readonly Key[];
  readonly attrs: Attrs;
  readonly placement: Placement;
  /** Projected bytes of the task's output (what is held once it has run). */
  readonly nbytes: number;
  /** Projected bytes the task needs while it runs, its output included (default `nbytes`). */
  readonly memory?: number;
}

export interface Task extends TaskSpec {
  readonly key: Key;
}

/** One step of a fused task: inputs index the task's args followed by earlier steps' outputs. */
export type FusedStep = {
  readonly op: string;
  readonly attrs: Attrs;
  readonly inputs: readonly number[];
};

export const keyOf = (name: string, index: readonly number[]): Key => `${name}:${index.join(",")}`;

export function parseKey(key: Key): { name: string; index: number[] } {
  const c = key.lastIndexOf(":");
  const rest = key.slice(c + 1);
  return { name: key.slice(0, c), index: rest === "" ? [] : rest.split(",").map(Number) };
}

export interface Graph {
  readonly tasks: ReadonlyMap<Key, Task>;
  /** Non-JSON values tasks refer to by `ref`: in-memory data, user functions. */
  readonly constants: ReadonlyMap<string, unknown>;
  readonly outputs: readonly Key[];
}
