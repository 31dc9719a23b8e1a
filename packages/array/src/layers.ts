/**
 * Building layers: names are `label-token` with the token a content hash of what defines the layer
 * (op, input layer names, attributes, chunks), so identical subexpressions get identical keys and are
 * computed once.
 */
import { blockShape, itemsize, sizeOf, tokenize, type Chunks, type DType } from "@tessera/core";
import { keyOf, makeLayer, type Attrs, type Layer, type Placement } from "@tessera/graph";

export interface BlockwiseInput {
  readonly layer: Layer;
  /** The input block that output block `index` reads. */
  readonly map: (index: readonly number[]) => readonly number[];
}

export interface BlockwiseInit {
  readonly label: string;
  readonly op: string;
  readonly chunks: Chunks;
  readonly dtype: DType;
  readonly inputs: readonly BlockwiseInput[];
  /** Attributes: one object for every block, or a function of the block index. */
  readonly attrs: Attrs | ((index: readonly number[]) => Attrs);
  /** What else defines the layer (hashed into its name). */
  readonly token: unknown;
  readonly placement?: Placement;
  readonly constants?: ReadonlyMap<string, unknown>;
  /** Output bytes of a block (default: its size times the dtype's item size). */
  readonly nbytes?: (index: readonly number[]) => number;
  /** A view of its input (slicing, transposing, broadcasting): it allocates nothing, so it needs no memory to run. */
  readonly view?: boolean;
}

export const layerName = (label: string, ...parts: unknown[]): string => `${label}-${tokenize(label, ...parts)}`;

/** A layer whose every block reads one block of each input. */
export function blockwiseLayer(init: BlockwiseInit): Layer {
  const name = layerName(init.label, init.op, init.inputs.map((i) => i.layer.name), init.chunks, init.dtype, init.token);
  const size = itemsize(init.dtype);
  const attrs = init.attrs;
  return makeLayer({
    name,
    numblocks: init.chunks.map((c) => c.length),
    deps: init.inputs.map((i) => i.layer),
    task: (index) => ({
      op: init.op,
      args: init.inputs.map((i) => keyOf(i.layer.name, i.map(index))),
      attrs: typeof attrs === "function" ? attrs(index) : attrs,
      placement: init.placement ?? "cpu",
      nbytes: init.nbytes ? init.nbytes(index) : sizeOf(blockShape(init.chunks, index)) * size,
      ...(init.view ? { memory: 0 } : {}),
    }),
    ...(init.constants ? { constants: init.constants } : {}),
  });
}

export const same = (index: readonly number[]): readonly number[] => index;
