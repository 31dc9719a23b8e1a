/**
 * Cumulative sums and products along an axis, dask's way: each block is scanned on its own (float64),
 * a chain of carries runs along the axis (carry j = carry j-1 combined with the last slice of block j-1),
 * and each block applies its carry and casts to the result dtype.
 */
import { allocate, contiguousTile, isBig, sizeOf, stridesOf, type DType, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import { materialize, region } from "../tiles.js";
import { asTile } from "./values.js";

export type CumAttrs = { readonly kind: "cumsum" | "cumprod"; readonly axis: number; readonly dtype?: DType };

/** Scans `t` along `axis` into a new float64 tile. */
function scan(t: Tile, kind: CumAttrs["kind"], axis: number): Tile {
  const c = materialize(t, "float64");
  const d = c.data as Float64Array;
  const n = t.shape[axis]!;
  const step = stridesOf(t.shape)[axis]!;
  const total = sizeOf(t.shape);
  const prod = kind === "cumprod";
  // Each run of `step` consecutive elements at position k along the axis folds into position k + 1.
  for (let base = 0; base < total; base += n * step) {
    for (let k = 1; k < n; k++) {
      const o = base + k * step;
      for (let i = 0; i < step; i++) d[o + i] = prod ? d[o + i]! * d[o - step + i]! : d[o + i]! + d[o - step + i]!;
    }
  }
  return c;
}

const lastSlice = (t: Tile, axis: number): Tile =>
  region(t, t.shape.map((n, d) => (d === axis ? n - 1 : 0)), t.shape.map((n, d) => (d === axis ? 1 : n)));

export function cumBlockKernel(inputs: readonly unknown[], attrs: Attrs): Tile {
  const a = attrs as CumAttrs;
  return scan(asTile(inputs[0], "cum-block"), a.kind, a.axis);
}

/** carry_j from (carry_{j-1}?, scanned block j-1). */
export function cumCarryKernel(inputs: readonly unknown[], attrs: Attrs): Tile {
  const a = attrs as CumAttrs;
  const prev = asTile(inputs[inputs.length - 1], "cum-carry");
  const last = materialize(lastSlice(prev, a.axis), "float64");
  if (inputs.length === 1) return last;
  const carry = asTile(inputs[0], "cum-carry").data as Float64Array;
  const d = last.data as Float64Array;
  for (let i = 0; i < d.length; i++) d[i] = a.kind === "cumprod" ? d[i]! * carry[i]! : d[i]! + carry[i]!;
  return last;
}

/** Applies carry (if any) to a scanned block and casts to the result dtype. */
export function cumApplyKernel(inputs: readonly unknown[], attrs: Attrs): Tile {
  const a = attrs as CumAttrs;
  const t = asTile(inputs[0], "cum-apply");
  const dtype = a.dtype ?? "float64";
  const src = t.data as Float64Array;
  const n = sizeOf(t.shape);
  const carry = inputs.length > 1 ? (asTile(inputs[1], "cum-apply").data as Float64Array) : undefined;
  const step = stridesOf(t.shape)[a.axis]!;
  const len = t.shape[a.axis]!;
  const out = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    // The carry has the block's shape with the axis reduced to 1: drop the axis coordinate.
    let v = src[i]!;
    if (carry) {
      const ci = Math.floor(i / (step * len)) * step + (i % step);
      v = a.kind === "cumprod" ? v * carry[ci]! : v + carry[ci]!;
    }
    if (isBig(dtype)) (out as BigInt64Array)[i] = Number.isFinite(v) ? BigInt(Math.round(v)) : 0n;
    else (out as Float64Array)[i] = dtype === "bool" ? (v !== 0 ? 1 : 0) : v;
  }
  return contiguousTile(out, t.shape, dtype);
}
