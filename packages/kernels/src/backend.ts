/**
 * What a backend is: a set of kernels, one per op of the op table, each a function of input values
 * (tiles, partials, or user values) and the task's attributes. Kernels may return a promise (I/O,
 * async user functions). The context carries the graph's constants (in-memory data, user functions).
 */
import type { Attrs } from "@tessera/graph";

export interface KernelContext {
  readonly constants: ReadonlyMap<string, unknown>;
}

export type Kernel = (inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext) => unknown;

export interface Backend {
  readonly name: string;
  kernel(op: string): Kernel | undefined;
}
