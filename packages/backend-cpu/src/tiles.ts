/** Tile views and copies on the CPU: the building blocks of view kernels, gathers and assembly. */
import { allocate, contiguousTile, freshAllocator, isBig, isContiguous, sizeOf, stridesOf, type Allocator, type DType, type Tile } from "@tessera/core";
import { read, runNest, store } from "./loops.js";

const storeKind = (d: DType): "bool" | "big" | "plain" => (d === "bool" ? "bool" : isBig(d) ? "big" : "plain");

/** Strides of `t` aligned to `shape` by NumPy broadcasting (leading axes and size-1 axes get stride 0). */
export function broadcastStrides(t: Tile, shape: readonly number[]): number[] {
  const lead = shape.length - t.shape.length;
  return shape.map((n, d) => {
    if (d < lead) return 0;
    const m = t.shape[d - lead]!;
    return m === 1 && n !== 1 ? 0 : t.strides[d - lead]!;
  });
}

/** Copies `src` (broadcast to `dst.shape`) into the strided view `dst`, converting dtypes. */
export function copyInto(dst: Tile, src: Tile): void {
  if (sizeOf(dst.shape) === 0) return;
  if (dst.dtype === src.dtype && isContiguous(dst) && isContiguous(src) && sizeOf(src.shape) === sizeOf(dst.shape) && src.dtype !== "bool") {
    const n = sizeOf(dst.shape);
    const s = src.data.subarray(src.offset, src.offset + n);
    (dst.data as Float64Array).set(s as Float64Array, dst.offset);
    return;
  }
  const key = `copy:${storeKind(dst.dtype)}:${isBig(src.dtype)}:${src.dtype === dst.dtype}`;
  const sameBig = isBig(src.dtype) && src.dtype === dst.dtype;
  runNest(key, dst.shape, [dst, { data: src.data, offset: src.offset, strides: broadcastStrides(src, dst.shape) }], [], (p, s, n) => {
    const v = sameBig ? `A1[${p[1]}]` : store(read("A1", p[1]!, isBig(src.dtype)), storeKind(dst.dtype));
    return `for (let j = 0; j < ${n}; j++) { A0[${p[0]}] = ${v}; ${p[0]} += ${s[0]}; ${p[1]} += ${s[1]}; }`;
  }, true);
}

/** A contiguous copy of `t` (in dtype `dtype`, default its own), in memory from `alloc`. */
export function materialize(t: Tile, dtype: DType = t.dtype, alloc: Allocator = freshAllocator): Tile {
  const out = contiguousTile(alloc.alloc(dtype, sizeOf(t.shape)), t.shape, dtype);
  copyInto(out, t);
  return out;
}

/** `t` as a contiguous tile: itself when already contiguous, else a copy. */
export function contiguous(t: Tile, alloc: Allocator = freshAllocator): Tile {
  return isContiguous(t) ? t : materialize(t, t.dtype, alloc);
}

/** A view of the region `starts .. starts + shape` of `t`. */
export function region(t: Tile, starts: readonly number[], shape: readonly number[]): Tile {
  let offset = t.offset;
  starts.forEach((s, d) => (offset += s * t.strides[d]!));
  return { data: t.data, dtype: t.dtype, shape: [...shape], strides: [...t.strides], offset };
}

/** Reshapes a tile (a view when contiguous). */
export function reshapeTile(t: Tile, shape: readonly number[], alloc: Allocator = freshAllocator): Tile {
  const c = contiguous(t, alloc);
  return { data: c.data, dtype: c.dtype, shape: [...shape], strides: stridesOf(shape), offset: c.offset };
}

/** A compact tile (offset 0, exact length) suitable to hand to users. */
export function compact(t: Tile): Tile {
  if (t.offset === 0 && t.data.length === sizeOf(t.shape) && isContiguous(t)) return t;
  const out = { data: allocate(t.dtype, sizeOf(t.shape)), dtype: t.dtype, shape: [...t.shape], strides: stridesOf(t.shape), offset: 0 };
  copyInto(out, t);
  return out;
}
