/** Source kernels: constants, fills, ranges, identity matrices and counter-based random blocks. */
import { contiguousTile, isBig, sizeOf, stridesOf, type Allocator, type DType, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { KernelContext } from "@tessera/kernels";
import { normal01, uniform01 } from "../random.js";
import { region } from "../tiles.js";
import { asTile } from "./values.js";

function fillWith(alloc: Allocator, dtype: DType, shape: readonly number[], f: (i: number) => number): Tile {
  const n = sizeOf(shape);
  const data = alloc.alloc(dtype, n);
  if (isBig(dtype)) {
    const d = data as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = f(i);
      d[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
    }
  } else if (dtype === "bool") {
    for (let i = 0; i < n; i++) data[i] = f(i) !== 0 ? 1 : 0;
  } else {
    const d = data as Float64Array;
    for (let i = 0; i < n; i++) d[i] = f(i);
  }
  return contiguousTile(data, shape, dtype);
}

export function constKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const src = asTile(ctx.constants.get(attrs["ref"] as string), "const");
  return region(src, attrs["starts"] as readonly number[], attrs["shape"] as readonly number[]);
}

export function tileKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): unknown {
  return ctx.constants.get(attrs["ref"] as string);
}

export function fillKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const dtype = attrs["dtype"] as DType;
  const shape = attrs["shape"] as readonly number[];
  const value = attrs["value"] as number;
  const n = sizeOf(shape);
  // Pooled memory is not zeroed: every fill writes its value.
  const data = ctx.alloc.alloc(dtype, n);
  if (isBig(dtype)) (data as BigInt64Array).fill(Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n);
  else (data as Float64Array).fill(dtype === "bool" ? (value !== 0 ? 1 : 0) : value);
  return contiguousTile(data, shape, dtype);
}

export function arangeKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const start = attrs["start"] as number;
  const step = attrs["step"] as number;
  const offset = attrs["offset"] as number;
  return fillWith(ctx.alloc, attrs["dtype"] as DType, [attrs["n"] as number], (i) => start + (offset + i) * step);
}

export function linspaceKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const { start, stop, num, endpoint, offset, n } = attrs as { start: number; stop: number; num: number; endpoint: boolean; offset: number; n: number };
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  return fillWith(ctx.alloc, attrs["dtype"] as DType, [n], (i) => {
    const g = offset + i;
    return endpoint && num > 1 && g === num - 1 ? stop : g * step + start;
  });
}

export function eyeKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const shape = attrs["shape"] as readonly [number, number];
  const [r0, c0] = attrs["offset"] as readonly [number, number];
  const k = attrs["k"] as number;
  const cols = shape[1];
  return fillWith(ctx.alloc, attrs["dtype"] as DType, shape, (i) => (r0 + Math.floor(i / cols) + k === c0 + (i % cols) ? 1 : 0));
}

export type RandomAttrs = {
  readonly dist: "uniform" | "normal" | "integers";
  readonly seed: number;
  readonly a: number;
  readonly b: number;
  readonly shape: readonly number[];
  readonly fullShape: readonly number[];
  readonly starts: readonly number[];
  readonly dtype: DType;
};

export function randomKernel(_inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const r = attrs as RandomAttrs;
  const gs = stridesOf(r.fullShape);
  const nd = r.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let base = r.starts.reduce((acc, s, d) => acc + s * gs[d]!, 0);
  const u01 = r.dtype === "float32" ? (g: number) => Math.floor(uniform01(r.seed, g, 0) * 16777216) / 16777216 : (g: number) => uniform01(r.seed, g, 0);
  const draw =
    r.dist === "normal"
      ? (g: number) => r.a + r.b * normal01(r.seed, g)
      : r.dist === "uniform"
        ? (g: number) => r.a + (r.b - r.a) * u01(g)
        : (g: number) => Math.floor(r.a + (r.b - r.a) * uniform01(r.seed, g, 0));
  // Walk the block row-major while tracking the global flat position `base`.
  return fillWith(ctx.alloc, r.dtype, r.shape, () => {
    const v = draw(base);
    for (let d = nd - 1; d >= 0; d--) {
      base += gs[d]!;
      if (++idx[d]! < r.shape[d]!) break;
      base -= gs[d]! * r.shape[d]!;
      idx[d] = 0;
    }
    return v;
  });
}
