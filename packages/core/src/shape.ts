/** Shape arithmetic: sizes, strides, broadcasting and axis normalization (NumPy rules). */
import { TesseraError, show } from "./errors.js";

export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Row-major (C order) strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i] ?? 1;
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** numpy.broadcast_shapes; names the offending shapes and axis on failure. */
export function broadcastShapes(shapes: readonly Shape[], argument = "operands"): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = nd - s.length + i;
      const d = s[i] ?? 1;
      const cur = out[o] ?? 1;
      if (d === cur || d === 1) continue;
      if (cur === 1) out[o] = d;
      else {
        throw new TesseraError(
          "ShapeMismatch",
          `${argument}: shapes ${shapes.map((x) => `(${x.join(", ")})`).join(" and ")} cannot be broadcast together: ` +
            `axis ${o} has sizes ${cur} and ${d}; sizes must match or one of them be 1`,
        );
      }
    }
  }
  return out;
}

export function checkShape(shape: unknown, argument = "shape"): number[] {
  const arr = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(arr) || !arr.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new TesseraError("ShapeMismatch", `${argument}: ${show(shape)} is not a shape; give an array of non-negative integers, e.g. [256, 256, 3]`);
  }
  return arr as number[];
}

/** Normalizes one axis (negative counts from the end). */
export function normalizeAxis(axis: number, ndim: number, argument = "axis"): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new TesseraError(
      "AxisError",
      `${argument}: axis ${show(axis)} is out of bounds for an array of ${ndim} dimension${ndim === 1 ? "" : "s"}; valid axes are ${ndim === 0 ? "none" : `${-ndim}..${ndim - 1}`}`,
    );
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalizes `axis` (number, list, or undefined/null for all axes) to sorted unique axes. */
export function normalizeAxes(axis: number | readonly number[] | null | undefined, ndim: number, argument = "axis"): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(a, ndim, argument));
  if (new Set(out).size !== out.length) throw new TesseraError("AxisError", `${argument}: repeated axis in ${show(axis)}`);
  return out.sort((a, b) => a - b);
}
