/**
 * Layers that hand data to users: every block as a compact tile (for user functions and `blocks()`),
 * or the whole array as one (for `compute()`). They run as `assemble` tasks with `dense: true`, so the
 * result is contiguous and never shares memory with an input the user gave.
 */
import { blockOffsets, blockIndices, blockShape, itemsize, sizeOf, type Chunks, type DType } from "@tessera/core";
import { keyOf, makeLayer, type Layer } from "@tessera/graph";
import { blockwiseLayer, layerName, same } from "./layers.js";

interface ArrayLike {
  readonly layer: Layer;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly chunks: Chunks;
}

/** Each block of `x` as a compact tile, under the same block indices. */
export function denseBlocks(x: ArrayLike): Layer {
  return blockwiseLayer({
    label: "dense-block",
    op: "assemble",
    chunks: x.chunks,
    dtype: x.dtype,
    inputs: [{ layer: x.layer, map: same }],
    attrs: (index) => {
      const shape = blockShape(x.chunks, index);
      return { shape, dtype: x.dtype, dense: true, pieces: [{ arg: 0, src: shape.map(() => 0), dst: shape.map(() => 0), shape }] };
    },
    token: null,
  });
}

/** All of `x` as one compact tile (a one-block layer). */
export function denseWhole(x: ArrayLike): Layer {
  const offsets = x.chunks.map(blockOffsets);
  const numblocks = x.chunks.map((c) => c.length);
  return makeLayer({
    name: layerName("dense", x.layer.name),
    numblocks: x.shape.map(() => 1),
    deps: [x.layer],
    task: () => {
      const args = [];
      const pieces = [];
      for (const index of blockIndices(numblocks)) {
        const shape = blockShape(x.chunks, index);
        pieces.push({ arg: args.length, src: shape.map(() => 0), dst: index.map((b, d) => offsets[d]![b]!), shape });
        args.push(keyOf(x.layer.name, index));
      }
      return { op: "assemble", args, attrs: { shape: [...x.shape], dtype: x.dtype, dense: true, pieces }, placement: "cpu", nbytes: sizeOf(x.shape) * itemsize(x.dtype) };
    },
  });
}
