/**
 * User functions. The array layer registers, under a constant `ref`, a main-thread function that takes
 * the task's inputs and attributes (it wraps the user's function with the conversions and checks its
 * API promises); this kernel only looks it up and calls it.
 */
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";

export type Callable = (inputs: readonly unknown[], attrs: Attrs) => unknown;

export function callKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): unknown {
  const ref = attrs["ref"] as string;
  const fn = ctx.constants.get(ref);
  if (typeof fn !== "function") throw new TypeError(`call: no function registered under ${ref}`);
  return (fn as Callable)(inputs, attrs);
}
