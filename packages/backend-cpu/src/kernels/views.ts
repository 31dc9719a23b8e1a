/** View kernels: slicing, transposition, reshaping and broadcasting without copying where possible. */
import type { Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";
import { broadcastStrides, reshapeTile } from "../tiles.js";
import { asTile } from "./values.js";

/** Per input axis: a range (`start`, `step`, `count`) or an integer `index` (drops the axis). */
export type SliceItem = { readonly start: number; readonly step: number; readonly count: number } | { readonly index: number };
export type SliceAttrs = { readonly items: readonly SliceItem[]; readonly newAxes: readonly number[] };

export function sliceTile(t: Tile, items: readonly SliceItem[], newAxes: readonly number[]): Tile {
  let offset = t.offset;
  const shape: number[] = [];
  const strides: number[] = [];
  items.forEach((it, d) => {
    const st = t.strides[d]!;
    if ("index" in it) offset += it.index * st;
    else {
      if (it.count > 0) offset += it.start * st;
      shape.push(it.count);
      strides.push(st * it.step);
    }
  });
  for (const a of newAxes) {
    shape.splice(a, 0, 1);
    strides.splice(a, 0, 0);
  }
  return { data: t.data, dtype: t.dtype, shape, strides, offset };
}

export function sliceKernel(inputs: readonly unknown[], attrs: Attrs): Tile {
  const a = attrs as SliceAttrs;
  return sliceTile(asTile(inputs[0], "slice"), a.items, a.newAxes);
}

export function transposeKernel(inputs: readonly unknown[], attrs: Attrs): Tile {
  const t = asTile(inputs[0], "transpose");
  const perm = attrs["perm"] as readonly number[];
  return { data: t.data, dtype: t.dtype, offset: t.offset, shape: perm.map((p) => t.shape[p]!), strides: perm.map((p) => t.strides[p]!) };
}

export function reshapeKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  return reshapeTile(asTile(inputs[0], "reshape"), attrs["shape"] as readonly number[], ctx.alloc);
}

export function broadcastKernel(inputs: readonly unknown[], attrs: Attrs): Tile {
  const t = asTile(inputs[0], "broadcast");
  const shape = attrs["shape"] as readonly number[];
  return { data: t.data, dtype: t.dtype, offset: t.offset, shape: [...shape], strides: broadcastStrides(t, shape) };
}

export function identityKernel(inputs: readonly unknown[]): unknown {
  return inputs[0];
}
