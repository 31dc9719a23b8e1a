/**
 * What a backend is: a set of kernels, one per op of the op table, each a function of input values
 * (tiles, partials, or user values) and the task's attributes. Kernels may return a promise (I/O,
 * async user functions). The context carries the graph's constants (in-memory data, user functions).
 */
import type { Allocator } from "@tessera/core";
import type { Attrs } from "@tessera/graph";

export interface KernelContext {
  readonly constants: ReadonlyMap<string, unknown>;
  /**
   * Where the task's output tiles come from: the running thread's tile pool, through the task's arena (what
   * the task makes and does not return goes back to the pool when it ends). Memory from it is not zeroed.
   */
  readonly alloc: Allocator;
}

export type Kernel = (inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext) => unknown;

export interface Backend {
  readonly name: string;
  kernel(op: string): Kernel | undefined;
  /**
   * A module (file URL) that runs this backend's kernels in a worker thread, for the thread scheduler.
   * It must be plain JS (Node 20 runs no .ts in workers): packages point at their built `dist/`.
   */
  readonly workerEntry?: string;
  /** A copy of a value with its tiles on shared memory (the CPU backend caches it per value): for constants. */
  share?(value: unknown): unknown;
  /** A copy of a value with its tiles compact on fresh buffers, which can be transferred to a worker. */
  copy?(value: unknown): unknown;
}

/** Messages between the thread scheduler and a worker entry. */
export type WorkerRequest =
  | { readonly type: "constants"; readonly entries: readonly (readonly [string, unknown])[] }
  | { readonly type: "forget"; readonly refs: readonly string[] }
  | {
      readonly type: "task";
      readonly id: number;
      readonly op: string;
      readonly attrs: Attrs;
      readonly inputs: readonly unknown[];
      /** Free pool buffers the main thread hands over (they join the worker's pool before the task runs). */
      readonly grants?: readonly SharedArrayBuffer[];
    };

export type WorkerReply =
  | {
      readonly type: "done";
      readonly id: number;
      readonly value: unknown;
      readonly ms: number;
      /** Bytes the worker's pool keeps free after the task, and free buffers past its bound, handed back. */
      readonly poolFree: number;
      readonly returned: readonly SharedArrayBuffer[];
    }
  | { readonly type: "error"; readonly id: number; readonly message: string; readonly stack?: string; readonly code?: string };
