/** Axis manipulation: transpose, moveaxis, squeeze, expandDims, broadcastTo, concatenate, stack. */
import {
  TesseraError,
  blockShape,
  broadcastShapes,
  commonBlocks,
  chunksEqual,
  itemsize,
  normalizeAxes,
  normalizeAxis,
  promoteTypes,
  show,
  sizeOf,
  type Chunks,
} from "@tessera/core";
import { keyOf, makeLayer } from "@tessera/graph";
import { LazyArray } from "./array.js";
import { blockwiseLayer, layerName } from "./layers.js";

/** numpy.transpose: reverses the axes, or permutes them by `axes`. */
export function transpose(x: LazyArray, axes?: readonly number[]): LazyArray {
  const perm = axes ? axes.map((a) => normalizeAxis(a, x.ndim, "transpose(axes)")) : x.shape.map((_, i) => x.ndim - 1 - i);
  if (perm.length !== x.ndim || new Set(perm).size !== perm.length) {
    throw new TesseraError("AxisError", `transpose: axes ${show(axes)} must be a permutation of 0..${x.ndim - 1}`);
  }
  if (perm.every((p, i) => p === i)) return x;
  const chunks = perm.map((p) => [...x.chunks[p]!]);
  const layer = blockwiseLayer({
    label: "transpose",
    op: "transpose",
    view: true,
    chunks,
    dtype: x.dtype,
    inputs: [{ layer: x.layer, map: (index) => perm.map((_, d) => index[perm.indexOf(d)]!) }],
    attrs: { perm },
    token: perm,
  });
  return new LazyArray(layer, perm.map((p) => x.shape[p]!), x.dtype, chunks);
}

/** numpy.moveaxis. */
export function moveaxis(x: LazyArray, source: number | readonly number[], destination: number | readonly number[]): LazyArray {
  const src = (typeof source === "number" ? [source] : source).map((a) => normalizeAxis(a, x.ndim, "moveaxis(source)"));
  const dst = (typeof destination === "number" ? [destination] : destination).map((a) => normalizeAxis(a, x.ndim, "moveaxis(destination)"));
  if (src.length !== dst.length) throw new TesseraError("AxisError", `moveaxis: source ${show(source)} and destination ${show(destination)} must name the same number of axes`);
  const order = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  [...dst.map((d, i) => [d, src[i]!] as const)].sort((a, b) => a[0] - b[0]).forEach(([d, s]) => order.splice(d, 0, s));
  return transpose(x, order);
}

/** A per-block reshape that only adds or removes size-1 axes: `keep[d]` is the input axis for output axis d, or -1. */
function viewDims(x: LazyArray, label: string, keep: readonly number[], chunks: Chunks, shape: readonly number[]): LazyArray {
  const layer = blockwiseLayer({
    label,
    op: "reshape",
    chunks,
    dtype: x.dtype,
    inputs: [
      {
        layer: x.layer,
        map: (index) => {
          const inIdx = new Array<number>(x.ndim).fill(0);
          keep.forEach((a, d) => {
            if (a >= 0) inIdx[a] = index[d]!;
          });
          return inIdx;
        },
      },
    ],
    attrs: (index) => ({ shape: blockShape(chunks, index) }),
    token: [keep, shape],
  });
  return new LazyArray(layer, shape, x.dtype, chunks);
}

/** numpy.squeeze: removes size-1 axes (all of them, or those named). */
export function squeeze(x: LazyArray, axis?: number | readonly number[]): LazyArray {
  const axes = axis === undefined ? x.shape.flatMap((n, i) => (n === 1 ? [i] : [])) : normalizeAxes(axis, x.ndim, "squeeze(axis)");
  for (const a of axes) if (x.shape[a] !== 1) throw new TesseraError("AxisError", `squeeze: axis ${a} has size ${x.shape[a]}; only size-1 axes can be squeezed`);
  if (axes.length === 0) return x;
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  return viewDims(x, "squeeze", keep, keep.map((a) => [...x.chunks[a]!]), keep.map((a) => x.shape[a]!));
}

/** numpy.expand_dims: inserts size-1 axes at the given positions of the result. */
export function expandDims(x: LazyArray, axis: number | readonly number[]): LazyArray {
  const nd = x.ndim + (typeof axis === "number" ? 1 : axis.length);
  const axes = normalizeAxes(axis, nd, "expandDims(axis)");
  const keep: number[] = [];
  let k = 0;
  for (let d = 0; d < nd; d++) keep.push(axes.includes(d) ? -1 : k++);
  return viewDims(x, "expand-dims", keep, keep.map((a) => (a < 0 ? [1] : [...x.chunks[a]!])), keep.map((a) => (a < 0 ? 1 : x.shape[a]!)));
}

/** numpy.broadcast_to: a read-only broadcast view; new or stretched axes are one block unless `chunks` says otherwise. */
export function broadcastTo(x: LazyArray, shape: readonly number[]): LazyArray {
  const out = broadcastShapes([x.shape, shape], "broadcastTo");
  if (out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
    throw new TesseraError("ShapeMismatch", `broadcastTo: cannot broadcast shape (${x.shape.join(", ")}) to (${shape.join(", ")})`);
  }
  const lead = out.length - x.ndim;
  const chunks = out.map((d, i) => (i >= lead && x.shape[i - lead] === d ? [...x.chunks[i - lead]!] : [d]));
  const layer = blockwiseLayer({
    label: "broadcast-to",
    op: "broadcast",
    view: true,
    chunks,
    dtype: x.dtype,
    inputs: [{ layer: x.layer, map: (index) => x.shape.map((n, a) => (n === out[a + lead] ? index[a + lead]! : 0)) }],
    attrs: (index) => ({ shape: blockShape(chunks, index) }),
    token: out,
  });
  return new LazyArray(layer, out, x.dtype, chunks);
}

/** numpy.concatenate along `axis`; dtypes are promoted, other axes must match and are aligned. */
export function concatenate(arrays: readonly LazyArray[], axis = 0): LazyArray {
  if (arrays.length === 0) throw new TesseraError("ValueError", "concatenate: needs at least one array");
  const first = arrays[0]!;
  const ax = normalizeAxis(axis, first.ndim, "concatenate(axis)");
  arrays.forEach((a, i) => {
    if (a.ndim !== first.ndim || a.shape.some((n, d) => d !== ax && n !== first.shape[d])) {
      throw new TesseraError("ShapeMismatch", `concatenate: array ${i} has shape (${a.shape.join(", ")}) but array 0 has (${first.shape.join(", ")}); all axes but ${ax} must match`);
    }
  });
  const dtype = arrays.map((a) => a.dtype).reduce(promoteTypes);
  const common = first.chunks.map((_, d) => (d === ax ? [] : commonBlocks(arrays.map((a) => a.chunks[d]!))));
  const inputs = arrays.map((a) => {
    const target = a.chunks.map((c, d) => (d === ax ? [...c] : common[d]!));
    const b = chunksEqual(target, a.chunks) ? a : a.rechunk(target);
    return b.dtype === dtype ? b : b.astype(dtype);
  });
  const axisChunks = inputs.flatMap((a) => a.chunks[ax]!);
  const chunks = common.map((c, d) => (d === ax ? axisChunks : c));
  const owner: [number, number][] = inputs.flatMap((a, k) => a.chunks[ax]!.map((_, j): [number, number] => [k, j]));
  const shape = first.shape.map((n, d) => (d === ax ? inputs.reduce((acc, a) => acc + a.shape[ax]!, 0) : n));
  const size = itemsize(dtype);
  const layer = makeLayer({
    name: layerName("concatenate", inputs.map((a) => a.layer.name), ax),
    numblocks: chunks.map((c) => c.length),
    deps: inputs.map((a) => a.layer),
    task: (index) => {
      const [k, j] = owner[index[ax]!]!;
      return {
        op: "identity",
        args: [keyOf(inputs[k]!.layer.name, index.map((b, d) => (d === ax ? j : b)))],
        attrs: {},
        placement: "cpu",
        nbytes: sizeOf(blockShape(chunks, index)) * size,
        memory: 0,
      };
    },
  });
  return new LazyArray(layer, shape, dtype, chunks);
}

/** numpy.stack: joins arrays of one shape along a new axis. */
export function stack(arrays: readonly LazyArray[], axis = 0): LazyArray {
  if (arrays.length === 0) throw new TesseraError("ValueError", "stack: needs at least one array");
  const first = arrays[0]!;
  arrays.forEach((a, i) => {
    if (a.ndim !== first.ndim || a.shape.some((n, d) => n !== first.shape[d])) {
      throw new TesseraError("ShapeMismatch", `stack: array ${i} has shape (${a.shape.join(", ")}) but array 0 has (${first.shape.join(", ")}); all must match`);
    }
  });
  const ax = normalizeAxis(axis, first.ndim + 1, "stack(axis)");
  return concatenate(arrays.map((a) => expandDims(a, ax)), ax);
}
