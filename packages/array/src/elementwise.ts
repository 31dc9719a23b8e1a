/**
 * Elementwise operations with NumPy broadcasting, weak scalars and automatic chunk alignment. Every
 * function here is also a method of LazyArray (`add(x, y)` is `x.add(y)`).
 */
import { TesseraError, broadcastShapes, canCast, checkDType, show, type Casting, type DType } from "@tessera/core";
import { ewResultType, type EwOp } from "@tessera/kernels";
import { LazyArray } from "./array.js";
import { align } from "./align.js";
import { blockwiseLayer } from "./layers.js";

/** An operand: a lazy array or a JS scalar (weak, as in NumPy 2). */
export type ArrayInput = LazyArray | number | boolean;

/** The elementwise op `fn` over arrays and scalars. */
export function elementwise(fn: EwOp, operands: readonly ArrayInput[], out?: DType): LazyArray {
  for (const o of operands) {
    if (!(o instanceof LazyArray) && typeof o !== "number" && typeof o !== "boolean") {
      throw new TesseraError("ValueError", `${fn}: operand ${show(o)} is neither a lazy array nor a number; wrap data with asarray()`);
    }
  }
  const arrays = operands.filter((o): o is LazyArray => o instanceof LazyArray);
  const dtype = out ?? ewResultType(fn, operands.map((o) => (o instanceof LazyArray ? o.dtype : o)));
  if (arrays.length === 0) throw new TesseraError("ValueError", `${fn}: at least one operand must be a lazy array`);
  const shape = broadcastShapes(arrays.map((a) => a.shape), fn);
  const al = align(arrays, shape);
  const attrs = { fn, out: dtype, operands: operands.map((o) => (o instanceof LazyArray ? null : Number(o))) };
  const layer = blockwiseLayer({
    label: fn,
    op: "ew",
    chunks: al.chunks,
    dtype,
    inputs: al.arrays.map((a, k) => ({ layer: a.layer, map: al.maps[k]! })),
    attrs,
    token: attrs,
  });
  return new LazyArray(layer, shape, dtype, al.chunks);
}

const bin = (fn: EwOp) => (x: ArrayInput, y: ArrayInput): LazyArray => elementwise(fn, [x, y]);
const un = (fn: EwOp) => (x: LazyArray): LazyArray => elementwise(fn, [x]);

export const add = bin("add");
export const sub = bin("sub");
export const mul = bin("mul");
export const div = bin("div");
export const floorDivide = bin("floorDivide");
export const mod = bin("mod");
export const pow = bin("pow");
export const minimum = bin("minimum");
export const maximum = bin("maximum");
export const arctan2 = bin("arctan2");
export const hypot = bin("hypot");
export const equal = bin("equal");
export const notEqual = bin("notEqual");
export const less = bin("less");
export const lessEqual = bin("lessEqual");
export const greater = bin("greater");
export const greaterEqual = bin("greaterEqual");
export const logicalAnd = bin("logicalAnd");
export const logicalOr = bin("logicalOr");
export const logicalXor = bin("logicalXor");
export const bitwiseAnd = bin("bitwiseAnd");
export const bitwiseOr = bin("bitwiseOr");
export const bitwiseXor = bin("bitwiseXor");
/** NumPy's names, as aliases. */
export const subtract = sub;
export const multiply = mul;
export const divide = div;
export const power = pow;

export const logicalNot = un("logicalNot");
export const negative = un("neg");
export const abs = un("abs");
export const sqrt = un("sqrt");
export const square = un("square");
export const sign = un("sign");
export const exp = un("exp");
export const expm1 = un("expm1");
export const log = un("log");
export const log1p = un("log1p");
export const log2 = un("log2");
export const log10 = un("log10");
export const sin = un("sin");
export const cos = un("cos");
export const tan = un("tan");
export const arcsin = un("arcsin");
export const arccos = un("arccos");
export const arctan = un("arctan");
export const sinh = un("sinh");
export const cosh = un("cosh");
export const tanh = un("tanh");
export const arcsinh = un("arcsinh");
export const arccosh = un("arccosh");
export const arctanh = un("arctanh");
export const floor = un("floor");
export const ceil = un("ceil");
export const trunc = un("trunc");
export const rint = un("rint");
export const isnan = un("isnan");
export const isinf = un("isinf");
export const isfinite = un("isfinite");

/** numpy.round: round half to even at `decimals` places. */
export function round(x: LazyArray, decimals = 0): LazyArray {
  if (!Number.isInteger(decimals)) throw new TesseraError("ValueError", `round: decimals ${show(decimals)} must be an integer`);
  return elementwise("round", [x, decimals]);
}

/** numpy.where(cond, a, b): `a` where `cond` is true (non-zero), else `b`. */
export function where(cond: ArrayInput, a: ArrayInput, b: ArrayInput): LazyArray {
  return elementwise("where", [cond, a, b]);
}

/** numpy.clip: `minimum(maximum(x, lo), hi)`; either bound may be null. */
export function clip(x: LazyArray, lo: ArrayInput | null, hi: ArrayInput | null): LazyArray {
  let y = x;
  if (lo !== null) y = maximum(y, lo);
  if (hi !== null) y = minimum(y, hi);
  return y;
}

/** Casts to `dtype` with NumPy's casting rules (`casting` defaults to "unsafe", as in NumPy). */
export function astype(x: LazyArray, dtype: DType, options: { casting?: Casting } = {}): LazyArray {
  const to = checkDType(dtype, "astype(dtype)");
  const casting = options.casting ?? "unsafe";
  if (!canCast(x.dtype, to, casting)) {
    throw new TesseraError("CastingError", `astype: cannot cast ${x.dtype} to ${to} under casting="${casting}"; pass { casting: "unsafe" } to allow it`);
  }
  if (to === x.dtype) return x;
  return elementwise("cast", [x], to);
}

