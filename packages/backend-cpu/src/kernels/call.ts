/**
 * User functions. `call`: the array layer registers, under a constant `ref`, a main-thread function that
 * takes the task's inputs and attributes (it wraps the user's function with the conversions and checks
 * its API promises); this kernel only looks it up and calls it. `call-module`: the function is an export
 * of a module (a file URL), so any thread can import and run it; its result is checked here.
 */
import { tileFromUser, type DType, type Dense, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";

export type Callable = (inputs: readonly unknown[], attrs: Attrs) => unknown;

export function callKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): unknown {
  const ref = attrs["ref"] as string;
  const fn = ctx.constants.get(ref);
  if (typeof fn !== "function") throw new TypeError(`call: no function registered under ${ref}`);
  return (fn as Callable)(inputs, attrs);
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

export type CallModuleAttrs = {
  readonly module: string;
  readonly export: string;
  readonly index: readonly number[];
  readonly starts: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: DType;
};

export async function callModuleKernel(inputs: readonly unknown[], attrs: Attrs): Promise<Tile> {
  const a = attrs as CallModuleAttrs;
  let mod = modules.get(a.module);
  if (!mod) {
    mod = import(a.module) as Promise<Record<string, unknown>>;
    modules.set(a.module, mod);
  }
  const fn = (await mod)[a.export];
  if (typeof fn !== "function") throw new TypeError(`call-module: ${a.module} has no exported function ${a.export}`);
  const blocks = inputs.map((t) => ({ data: (t as Tile).data, shape: (t as Tile).shape, dtype: (t as Tile).dtype }) satisfies Dense);
  const value: unknown = await (fn as (...args: unknown[]) => unknown)(...blocks, { blockIndex: a.index, offset: a.starts, shape: a.shape });
  return tileFromUser(value, a.shape, a.dtype, `${a.export} (${a.module}) block [${a.index.join(", ")}]`);
}
