/**
 * The op table: every task op Tessera lowers to, declared once with where it runs and whether it may
 * absorb its producers by fusion. Each backend implements these ops in files of the same name
 * (`backend-cpu/src/kernels/<group>.ts`); the CPU backend is the specification.
 */
import type { Placement } from "@tessera/graph";

export interface OpDef {
  readonly placement: Placement;
  /** Blockwise ops absorb single-consumer producers (fusion); gathers and combines do not. */
  readonly absorbs: boolean;
  readonly doc: string;
}

export const OPS = {
  const: { placement: "cpu", absorbs: false, doc: "a view of one block of an in-memory constant array" },
  tile: { placement: "cpu", absorbs: false, doc: "a stored tile (persisted block)" },
  fill: { placement: "cpu", absorbs: false, doc: "a block filled with one value" },
  arange: { placement: "cpu", absorbs: false, doc: "start + i * step over a 1-d block" },
  linspace: { placement: "cpu", absorbs: false, doc: "evenly spaced values over a 1-d block" },
  eye: { placement: "cpu", absorbs: false, doc: "a block of an identity-like matrix" },
  random: { placement: "cpu", absorbs: false, doc: "counter-based random values: same values whatever the chunking" },
  ew: { placement: "cpu", absorbs: true, doc: "an elementwise op with broadcasting over its input tiles and scalars" },
  slice: { placement: "cpu", absorbs: true, doc: "a strided view: basic slicing, integer indexing, new axes" },
  transpose: { placement: "cpu", absorbs: true, doc: "a permutation of axes (view)" },
  reshape: { placement: "cpu", absorbs: true, doc: "a new shape over the same elements (view when contiguous)" },
  broadcast: { placement: "cpu", absorbs: true, doc: "a broadcast view (zero strides)" },
  assemble: { placement: "cpu", absorbs: false, doc: "copies pieces of several input blocks into one new block" },
  take: { placement: "cpu", absorbs: false, doc: "gathers positions along one axis from several input blocks" },
  "reduce-chunk": { placement: "cpu", absorbs: true, doc: "a reduction's partial of one block, or of a group of small blocks along the reduced axes" },
  "reduce-multi": { placement: "cpu", absorbs: true, doc: "several reductions' partials of one block (or group), in one task (siblings merged)" },
  pick: { placement: "cpu", absorbs: false, doc: "one element of a list value (a partial of reduce-multi)" },
  "reduce-combine": { placement: "cpu", absorbs: false, doc: "merges partials along the reduced axes" },
  "reduce-aggregate": { placement: "cpu", absorbs: true, doc: "turns a merged partial into the result" },
  "cum-block": { placement: "cpu", absorbs: true, doc: "cumulative sum/product inside one block (float64)" },
  "cum-carry": { placement: "cpu", absorbs: false, doc: "the running carry into the next block along the axis" },
  "cum-apply": { placement: "cpu", absorbs: false, doc: "applies the carry to a block and casts to the result dtype" },
  call: { placement: "main", absorbs: false, doc: "calls a user function (main thread)" },
  "source-read": { placement: "io", absorbs: false, doc: "reads one block from a ChunkSource (async, main thread)" },
  "sink-write": { placement: "io", absorbs: false, doc: "writes one block to a ChunkSink (async, main thread)" },
  "call-module": { placement: "cpu", absorbs: false, doc: "calls a user function exported by a module (runs in workers)" },
  "source-fetch": { placement: "io", absorbs: false, doc: "fetches the bytes of one block from a ChunkSource (async, main thread)" },
  "sink-put": { placement: "io", absorbs: false, doc: "stores the encoded bytes of one block in a ChunkSink (async, main thread)" },
  "module-kernel": { placement: "cpu", absorbs: false, doc: "a kernel exported by a module, e.g. a source's decoder or a sink's encoder (runs in workers)" },
  identity: { placement: "cpu", absorbs: true, doc: "passes its input through" },
  "spill-write": { placement: "cpu", absorbs: false, doc: "writes a piece of a block to a rechunk's temporary store (a file)" },
  "spill-gather": { placement: "cpu", absorbs: false, doc: "makes a new block from pieces read back from a rechunk's temporary store" },
  fused: { placement: "cpu", absorbs: false, doc: "a chain of fused steps" },
} as const satisfies Record<string, OpDef>;

export type OpName = keyof typeof OPS;

export function opDef(op: string): OpDef | undefined {
  return (OPS as Record<string, OpDef>)[op];
}
