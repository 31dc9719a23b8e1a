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

/** An export of a module, imported once per thread. */
async function moduleExport(module: string, name: string, op: string): Promise<(...args: unknown[]) => unknown> {
  let mod = modules.get(module);
  if (!mod) {
    mod = import(module) as Promise<Record<string, unknown>>;
    modules.set(module, mod);
  }
  const fn = (await mod)[name];
  if (typeof fn !== "function") throw new TypeError(`${op}: ${module} has no exported function ${name}`);
  return fn as (...args: unknown[]) => unknown;
}

/**
 * A kernel a package brings in a module (a source's decoder or loader, a sink's encoder): `fn(inputs, params,
 * { alloc })`, trusted to return a tile; `alloc` is the task's allocator (pooled memory for what it makes).
 */
export async function moduleKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Promise<Tile> {
  const fn = await moduleExport(attrs["module"] as string, attrs["export"] as string, "module-kernel");
  return (await fn(inputs, attrs["params"], { alloc: ctx.alloc })) as Tile;
}

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
  const fn = await moduleExport(a.module, a.export, "call-module");
  const blocks = inputs.map((t) => ({ data: (t as Tile).data, shape: (t as Tile).shape, dtype: (t as Tile).dtype }) satisfies Dense);
  const value: unknown = await fn(...blocks, { blockIndex: a.index, offset: a.starts, shape: a.shape });
  return tileFromUser(value, a.shape, a.dtype, `${a.export} (${a.module}) block [${a.index.join(", ")}]`);
}
