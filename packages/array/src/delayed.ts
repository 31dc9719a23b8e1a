/**
 * Delayed values: `delayed(fn)(a, b)` is a lazy call whose arguments may be other delayed values, lazy
 * arrays (passed computed, as `{ data, shape, dtype }`) or plain values; `fromDelayed(value, { shape,
 * dtype })` turns a delayed result into a one-block lazy array, checking the promised shape and dtype
 * when it runs. This is the Dask workflow "rescale each image with a delayed function, then stack".
 */
import { TesseraError, checkDType, checkShape, tokenize, type DType, type Dense } from "@tessera/core";
import { keyOf, makeLayer, type Key, type Layer } from "@tessera/graph";
import { LazyArray } from "./array.js";
import type { ComputeOptions } from "./config.js";
import { denseWhole } from "./dense.js";
import { runGraph } from "./compute.js";
import { asDense, fnRef } from "./user.js";
import { tileFromUser as toTile } from "@tessera/core";

export class Delayed<T = unknown> {
  /** The layer holding the call (one task, key `name:`). */
  readonly layer: Layer;
  constructor(layer: Layer) {
    this.layer = layer;
  }
  get key(): Key {
    return keyOf(this.layer.name, []);
  }
  /** Runs the call (and what it depends on) and returns its value. */
  async compute(options: ComputeOptions = {}): Promise<T> {
    const res = await runGraph([this.layer], [this.key], options);
    return res.get(this.key) as T;
  }
  toString(): string {
    return `Delayed<${this.layer.name}>`;
  }
}

/** What a delayed call accepts for a parameter of type T: the value, a delayed value, or a lazy array where T takes dense data. */
type Arg<T> = T | Delayed<T> | (Dense extends T ? LazyArray : never);

export interface DelayedOptions {
  /** Names the function in keys (defaults to its identity within this process). */
  readonly token?: string;
  /** Label of the task (defaults to the function's name). */
  readonly name?: string;
}

/** Wraps `fn` so that calling it builds a lazy call instead of running it. */
export function delayed<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, options: DelayedOptions = {}): (...args: { [K in keyof A]: Arg<A[K]> }) => Delayed<R> {
  const ref = fnRef(fn, options.token, "delayed");
  const label = (options.name ?? fn.name) || "delayed";
  return (...args) => {
    const deps: Layer[] = [];
    const argKeys: Key[] = [];
    const spec = args.map((a): { dep: number } | { value: unknown } => {
      if (a instanceof Delayed || a instanceof LazyArray) {
        const layer = a instanceof Delayed ? a.layer : denseWhole(a);
        deps.push(layer);
        argKeys.push(keyOf(layer.name, layer.numblocks.map(() => 0)));
        return { dep: argKeys.length - 1 };
      }
      return { value: a };
    });
    const token = tokenize(ref, spec.map((s) => ("dep" in s ? argKeys[s.dep] : s.value)));
    const name = `${label}-${token}`;
    const lazyArrays = new Set(args.flatMap((a, i) => (a instanceof LazyArray ? [i] : [])));
    const call = (inputs: readonly unknown[]): unknown =>
      fn(...(spec.map((s, i) => ("dep" in s ? (lazyArrays.has(i) ? asDense(inputs[s.dep]) : inputs[s.dep]) : s.value)) as A));
    const layer = makeLayer({
      name,
      numblocks: [],
      deps,
      // The constant is this call's closure (it captures the arguments): it is named by the call's key.
      task: () => ({ op: "call", args: argKeys, attrs: { ref: name }, placement: "main", nbytes: 0 }),
      constants: new Map([[name, call]]),
    });
    return new Delayed<R>(layer);
  };
}

/** A one-block lazy array from a delayed value that will be a `{ data, shape, dtype }` or typed array. */
export function fromDelayed(value: Delayed<unknown>, options: { shape: readonly number[]; dtype: DType }): LazyArray {
  if (!(value instanceof Delayed)) throw new TesseraError("ValueError", "fromDelayed: value must be a Delayed (made by delayed(fn)(...))");
  const shape = checkShape(options.shape, "fromDelayed(shape)");
  const dtype = checkDType(options.dtype, "fromDelayed(dtype)");
  const ref = `from-delayed-${tokenize(value.layer.name, shape, dtype)}`;
  const check = (inputs: readonly unknown[]): unknown => toTile(inputs[0], shape, dtype, `fromDelayed(${value.layer.name})`);
  const chunks = shape.map((d) => [d]);
  const layer = makeLayer({
    name: ref,
    numblocks: shape.map(() => 1),
    deps: [value.layer],
    task: () => ({ op: "call", args: [value.key], attrs: { ref }, placement: "main", nbytes: shape.reduce((a, b) => a * b, 1) * 8 }),
    constants: new Map([[ref, check]]),
  });
  return new LazyArray(layer, shape, dtype, chunks);
}
