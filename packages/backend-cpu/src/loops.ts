/**
 * Generated loop nests over strided operands: the fast path of every elementwise, copy and reduction
 * kernel. Dimensions are first collapsed (size-1 axes dropped, adjacent axes merged where every operand
 * is contiguous across them) so the common case is one flat loop; the generated function is cached by
 * (body, rank) and takes shapes, strides and offsets as arguments, so cache entries stay few.
 */
import type { TypedArray } from "@tessera/core";
import { H } from "./helpers.js";

export interface Operand {
  readonly data: TypedArray;
  readonly offset: number;
  /** One stride per axis of the iteration shape (0 for broadcast or reduced axes). */
  readonly strides: readonly number[];
}

export interface Collapsed {
  readonly shape: number[];
  /** strides[k][d] for operand k. */
  readonly strides: number[][];
}

/** Drops size-1 axes and merges axis d into d+1 where all operands are contiguous across them. */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const dims: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) dims.push(d);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const d of dims) {
    const n = shape[d]!;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * n)) {
      outShape[last]! *= n;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(n);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/**
 * The innermost loop's code. `p[k]` names operand k's pointer variable, `s[k]` its stride at the
 * innermost axis, `n` the trip count; operand arrays are `A0, A1, ...`, extra parameters `X0, X1, ...`.
 */
export type InnerGen = (p: readonly string[], s: readonly string[], n: string) => string;

export type NestFn = (shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[], arrays: readonly TypedArray[], extra: readonly unknown[]) => void;

const cache = new Map<string, NestFn>();

/** Compiles (or fetches) a loop nest of rank `nd` over `nops` operands with the given inner loop. */
export function compileNest(cacheKey: string, nd: number, nops: number, nextra: number, inner: InnerGen, innerStrides = ""): NestFn {
  const key = `${cacheKey}|${nd}|${nops}|${nextra}|${innerStrides}`;
  const inner0 = [...innerStrides];
  const hit = cache.get(key);
  if (hit) return hit;
  const ks = Array.from({ length: nops }, (_, k) => k);
  const lines: string[] = [];
  lines.push(...ks.map((k) => `const A${k} = arrays[${k}];`));
  lines.push(...Array.from({ length: nextra }, (_, i) => `const X${i} = extra[${i}];`));
  for (let d = 0; d < nd; d++) {
    lines.push(`const n${d} = shape[${d}];`);
    lines.push(...ks.map((k) => `const s${k}_${d} = strides[${k}][${d}];`));
  }
  lines.push(...ks.map((k) => `let p${k}_0 = offsets[${k}];`));
  let close = "";
  for (let d = 0; d < nd - 1; d++) {
    lines.push(`for (let i${d} = 0; i${d} < n${d}; i${d}++) {`);
    lines.push(...ks.map((k) => `let p${k}_${d + 1} = p${k}_${d};`));
    close = `${ks.map((k) => `p${k}_${d} += s${k}_${d};`).join(" ")} }\n${close}`;
  }
  const last = nd - 1;
  const ptrs = ks.map((k) => `p${k}_${last}`);
  // The inner loop takes literal strides where they are 0 or 1 (part of the cache key): V8 then sees plain
  // induction variables and loop-invariant reads.
  const literal = ks.map((k) => (inner0[k] === "0" || inner0[k] === "1" ? inner0[k]! : `s${k}_${last}`));
  lines.push("{", inner(ptrs, literal, `n${last}`), "}");
  lines.push(close);
  // Named after its key, so that profiles tell generated loops apart.
  const name = `nest_${cacheKey.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 80)}`;
  const fn = new Function("H", `return function ${name}(shape, strides, offsets, arrays, extra) {\n${lines.join("\n")}\n};`)(H) as NestFn;
  cache.set(key, fn);
  return fn;
}

/**
 * The longest innermost loop a nest runs. A longer axis is split in two (rows of this length, then the rest):
 * V8 optimizes a long single loop by on-stack replacement before the code after it has ever run, and that code
 * then deoptimizes on every call (measured: a fold over 1M-element blocks ran 2-5x slower in such a loop).
 * Rows of 4096 make the tail run, and gather feedback, long before the outer loop is hot.
 */
const MAX_INNER = 4096;

/**
 * For nests whose elements are independent (elementwise ops, copies: `anyOrder`), a short innermost axis (the
 * 3 channels of an RGB image broadcast against per-channel constants) is swapped with the longest one, so the
 * inner loop runs long, with strided access, instead of 3 iterations per pixel.
 */
function longInnermost(c: Collapsed): Collapsed {
  const last = c.shape.length - 1;
  if (last < 1 || c.shape[last]! >= 64) return c;
  let best = last;
  for (let d = 0; d < last; d++) if (c.shape[d]! > c.shape[best]!) best = d;
  if (c.shape[best]! < 4 * c.shape[last]!) return c;
  const order = [...c.shape.keys()].filter((d) => d !== best).concat(best);
  return { shape: order.map((d) => c.shape[d]!), strides: c.strides.map((st) => order.map((d) => st[d]!)) };
}

/** Runs a nest over operands after collapsing their common iteration shape. */
export function runNest(cacheKey: string, shape: readonly number[], ops: readonly Operand[], extra: readonly unknown[], inner: InnerGen, anyOrder = false): void {
  if (shape.some((d) => d === 0)) return;
  const collapsed = collapse(shape, ops.map((o) => o.strides));
  const c = anyOrder ? longInnermost(collapsed) : collapsed;
  const last = c.shape.length - 1;
  const n = c.shape[last]!;
  if (n > MAX_INNER) {
    // Rows of MAX_INNER over the first q * MAX_INNER elements of the axis, then the r elements left.
    const q = Math.floor(n / MAX_INNER);
    const r = n - q * MAX_INNER;
    const outer = c.shape.slice(0, last);
    runCollapsed(cacheKey, [...outer, q, MAX_INNER], c.strides.map((st) => [...st.slice(0, last), st[last]! * MAX_INNER, st[last]!]), ops.map((o) => o.offset), ops, extra, inner);
    if (r > 0) runCollapsed(cacheKey, [...outer, r], c.strides, ops.map((o, k) => o.offset + q * MAX_INNER * c.strides[k]![last]!), ops, extra, inner);
    return;
  }
  runCollapsed(cacheKey, c.shape, c.strides, ops.map((o) => o.offset), ops, extra, inner);
}

function runCollapsed(cacheKey: string, shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[], ops: readonly Operand[], extra: readonly unknown[], inner: InnerGen): void {
  const last = shape.length - 1;
  const pattern = strides.map((st) => (st[last] === 0 ? "0" : st[last] === 1 ? "1" : "s")).join("");
  const fn = compileNest(cacheKey, shape.length, ops.length, extra.length, inner, pattern);
  fn(shape, strides, offsets, ops.map((o) => o.data), extra);
}

/** Reads element `ptr` of array `A` as a JS number (64-bit integers through Number()). */
export const read = (arr: string, ptr: string, big: boolean): string => (big ? `Number(${arr}[${ptr}])` : `${arr}[${ptr}]`);

/** Converts expression `v` for storage in an array of the given kind. */
export function store(v: string, kind: "bool" | "big" | "plain"): string {
  if (kind === "bool") return `((${v}) != 0 ? 1 : 0)`;
  if (kind === "big") return `H.big(${v})`;
  return v;
}
