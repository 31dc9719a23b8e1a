/**
 * User functions in the graph. A user function runs on the main thread as a `call` task; what it is
 * given and what it must return are checked here, so that a wrong shape or dtype is an error that names
 * the function's block, not a silent corruption. Functions are named in keys by identity (or by a
 * `token` the user gives), see docs/decisions.md.
 */
import { TesseraError, dtypeOfTypedArray, functionToken, show, type DType, type Dense, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";

/** A tile as users see it: `{ data, shape, dtype }`, compact (the dense-block layers guarantee it). */
export const asDense = (t: unknown): Dense => {
  const tile = t as Tile;
  return { data: tile.data, shape: tile.shape, dtype: tile.dtype };
};

export type Callable = (inputs: readonly unknown[], attrs: Attrs) => unknown;

/** The constant name of a user function. */
export function fnRef(fn: unknown, token: string | undefined, where: string): string {
  if (typeof fn !== "function") throw new TesseraError("ValueError", `${where}: expected a function, got ${show(fn)}`);
  return `fn-${token ?? functionToken(fn)}`;
}

/** A user value of any dtype: its shape must be `shape` (when given). */
export function looseTile(value: unknown, shape: readonly number[] | undefined, where: string): Tile {
  const dense: Dense | undefined = ArrayBuffer.isView(value)
    ? { data: value as Dense["data"], shape: shape ?? [(value as Dense["data"]).length], dtype: dtypeOfTypedArray(value as Dense["data"]) }
    : typeof value === "object" && value !== null && ArrayBuffer.isView((value as Dense).data)
      ? (value as Dense)
      : undefined;
  if (!dense) throw new TesseraError("DelayedMismatch", `${where}: expected a typed array or { data, shape, dtype }, got ${show(value)}`);
  const dtype: DType = dense.dtype ?? dtypeOfTypedArray(dense.data);
  const s = dense.shape ?? shape ?? [dense.data.length];
  if (shape && (s.length !== shape.length || s.some((d, i) => d !== shape[i]))) {
    throw new TesseraError("DelayedMismatch", `${where}: expected shape (${shape.join(", ")}) but got (${s.join(", ")})`);
  }
  if (s.reduce((a, b) => a * b, 1) !== dense.data.length) throw new TesseraError("DelayedMismatch", `${where}: shape (${s.join(", ")}) does not match ${dense.data.length} elements`);
  let stride = 1;
  const strides = s.map(() => 0);
  for (let i = s.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= s[i]!;
  }
  return { data: dense.data, shape: [...s], dtype, strides, offset: 0 };
}
