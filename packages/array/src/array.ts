/**
 * LazyArray: a handle over an immutable graph node `{ layer, shape, dtype, chunks }` and nothing else.
 * Every operation returns a new handle; nothing runs until `compute()`, `persist()` or `blocks()`.
 * Methods are thin: each delegates to the module that implements the operation.
 */
import { itemsize, numBlocks, sizeOf, type Casting, type ChunkSpec, type Chunks, type DType, type Dense } from "@tessera/core";
import { layerKeys, lower, type Layer } from "@tessera/graph";
import * as bw from "./blockwise.js";
import * as cmp from "./compute.js";
import type { ComputeOptions } from "./config.js";
import * as ew from "./elementwise.js";
import * as ix from "./indexing.js";
import * as man from "./manipulation.js";
import * as red from "./reductions.js";
import { rechunk, type RechunkOptions } from "./rechunk.js";
import { reshape } from "./reshape.js";

type In = ew.ArrayInput;

export class LazyArray {
  readonly layer: Layer;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly chunks: Chunks;

  constructor(layer: Layer, shape: readonly number[], dtype: DType, chunks: Chunks) {
    this.layer = layer;
    this.shape = shape;
    this.dtype = dtype;
    this.chunks = chunks;
  }

  /** The layer name: `op-token`. */
  get name(): string {
    return this.layer.name;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  get itemsize(): number {
    return itemsize(this.dtype);
  }
  get nbytes(): number {
    return this.size * this.itemsize;
  }
  get numblocks(): number[] {
    return numBlocks(this.chunks);
  }
  /** The largest block size along each axis. */
  get chunksize(): number[] {
    return this.chunks.map((c) => Math.max(0, ...c));
  }
  /** Tasks in the graph of all blocks, before optimization. */
  get numTasks(): number {
    return lower([this.layer], layerKeys(this.layer)).tasks.size;
  }
  /** Tasks after blockwise fusion (what a scheduler runs). */
  get numTasksOptimized(): number {
    return cmp.optimize(lower([this.layer], layerKeys(this.layer))).tasks.size;
  }

  toString(): string {
    const t = (s: readonly number[]): string => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;
    const label = this.layer.name.slice(0, this.layer.name.lastIndexOf("-"));
    return `tessera.Array<${label}, shape=${t(this.shape)}, dtype=${this.dtype}, chunksize=${t(this.chunksize)}, blocks=${this.numblocks.reduce((a, b) => a * b, 1)}, tasks=${this.numTasks}>`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // Results
  /** Computes the array into one dense result `{ data, shape, dtype }`. */
  async compute(options: ComputeOptions = {}): Promise<Dense> {
    const [r] = await cmp.computeAll([this], options);
    return r as Dense;
  }
  /** Computes every block and returns an array over the blocks held in memory. */
  persist(options: ComputeOptions = {}): Promise<LazyArray> {
    return cmp.persist(this, options);
  }
  /** Streams blocks in row-major order: `for await (const { index, data } of x.blocks())`. */
  blocks(options: ComputeOptions = {}): AsyncGenerator<cmp.BlockResult, void, undefined> {
    return cmp.iterBlocks(this, options);
  }

  // Casting and chunking
  astype(dtype: DType, options: { casting?: Casting } = {}): LazyArray {
    return ew.astype(this, dtype, options);
  }
  rechunk(chunks: ChunkSpec, options: RechunkOptions = {}): LazyArray {
    return rechunk(this, chunks, options);
  }

  // Arithmetic and comparisons
  add(y: In): LazyArray { return ew.add(this, y); }
  sub(y: In): LazyArray { return ew.sub(this, y); }
  mul(y: In): LazyArray { return ew.mul(this, y); }
  div(y: In): LazyArray { return ew.div(this, y); }
  floorDivide(y: In): LazyArray { return ew.floorDivide(this, y); }
  mod(y: In): LazyArray { return ew.mod(this, y); }
  pow(y: In): LazyArray { return ew.pow(this, y); }
  minimum(y: In): LazyArray { return ew.minimum(this, y); }
  maximum(y: In): LazyArray { return ew.maximum(this, y); }
  equal(y: In): LazyArray { return ew.equal(this, y); }
  notEqual(y: In): LazyArray { return ew.notEqual(this, y); }
  less(y: In): LazyArray { return ew.less(this, y); }
  lessEqual(y: In): LazyArray { return ew.lessEqual(this, y); }
  greater(y: In): LazyArray { return ew.greater(this, y); }
  greaterEqual(y: In): LazyArray { return ew.greaterEqual(this, y); }
  logicalAnd(y: In): LazyArray { return ew.logicalAnd(this, y); }
  logicalOr(y: In): LazyArray { return ew.logicalOr(this, y); }
  logicalXor(y: In): LazyArray { return ew.logicalXor(this, y); }
  logicalNot(): LazyArray { return ew.logicalNot(this); }
  neg(): LazyArray { return ew.negative(this); }
  abs(): LazyArray { return ew.abs(this); }
  sqrt(): LazyArray { return ew.sqrt(this); }
  square(): LazyArray { return ew.square(this); }
  sign(): LazyArray { return ew.sign(this); }
  exp(): LazyArray { return ew.exp(this); }
  expm1(): LazyArray { return ew.expm1(this); }
  log(): LazyArray { return ew.log(this); }
  log1p(): LazyArray { return ew.log1p(this); }
  log2(): LazyArray { return ew.log2(this); }
  log10(): LazyArray { return ew.log10(this); }
  sin(): LazyArray { return ew.sin(this); }
  cos(): LazyArray { return ew.cos(this); }
  tan(): LazyArray { return ew.tan(this); }
  tanh(): LazyArray { return ew.tanh(this); }
  arcsin(): LazyArray { return ew.arcsin(this); }
  arccos(): LazyArray { return ew.arccos(this); }
  arctan(): LazyArray { return ew.arctan(this); }
  sinh(): LazyArray { return ew.sinh(this); }
  cosh(): LazyArray { return ew.cosh(this); }
  arcsinh(): LazyArray { return ew.arcsinh(this); }
  arccosh(): LazyArray { return ew.arccosh(this); }
  arctanh(): LazyArray { return ew.arctanh(this); }
  arctan2(y: In): LazyArray { return ew.arctan2(this, y); }
  hypot(y: In): LazyArray { return ew.hypot(this, y); }
  bitwiseAnd(y: In): LazyArray { return ew.bitwiseAnd(this, y); }
  bitwiseOr(y: In): LazyArray { return ew.bitwiseOr(this, y); }
  bitwiseXor(y: In): LazyArray { return ew.bitwiseXor(this, y); }
  floor(): LazyArray { return ew.floor(this); }
  ceil(): LazyArray { return ew.ceil(this); }
  trunc(): LazyArray { return ew.trunc(this); }
  rint(): LazyArray { return ew.rint(this); }
  round(decimals = 0): LazyArray { return ew.round(this, decimals); }
  isnan(): LazyArray { return ew.isnan(this); }
  isinf(): LazyArray { return ew.isinf(this); }
  isfinite(): LazyArray { return ew.isfinite(this); }
  clip(lo: In | null, hi: In | null): LazyArray { return ew.clip(this, lo, hi); }

  // Reductions
  sum(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "sum", o); }
  prod(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "prod", o); }
  mean(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "mean", o); }
  var(o: red.VarOptions = {}): LazyArray { return red.reduce(this, "var", o); }
  std(o: red.VarOptions = {}): LazyArray { return red.reduce(this, "std", o); }
  min(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "min", o); }
  max(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "max", o); }
  any(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "any", o); }
  all(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "all", o); }
  argmin(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "argmin", o); }
  argmax(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "argmax", o); }
  nansum(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "nansum", o); }
  nanprod(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "nanprod", o); }
  nanmean(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "nanmean", o); }
  nanvar(o: red.VarOptions = {}): LazyArray { return red.reduce(this, "nanvar", o); }
  nanstd(o: red.VarOptions = {}): LazyArray { return red.reduce(this, "nanstd", o); }
  nanmin(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "nanmin", o); }
  nanmax(o: red.ReduceOptions = {}): LazyArray { return red.reduce(this, "nanmax", o); }
  cumsum(axis: number | null = null, o: { dtype?: DType } = {}): LazyArray { return red.cumulative(this, "cumsum", axis, o.dtype); }
  cumprod(axis: number | null = null, o: { dtype?: DType } = {}): LazyArray { return red.cumulative(this, "cumprod", axis, o.dtype); }

  // Shape
  reshape(shape: readonly number[]): LazyArray { return reshape(this, shape); }
  /** A 1-d view of all elements (row-major). */
  ravel(): LazyArray { return reshape(this, [-1]); }
  flatten(): LazyArray { return reshape(this, [-1]); }
  transpose(axes?: readonly number[]): LazyArray { return man.transpose(this, axes); }
  get T(): LazyArray { return man.transpose(this); }
  moveaxis(source: number | readonly number[], destination: number | readonly number[]): LazyArray { return man.moveaxis(this, source, destination); }
  squeeze(axis?: number | readonly number[]): LazyArray { return man.squeeze(this, axis); }
  expandDims(axis: number | readonly number[]): LazyArray { return man.expandDims(this, axis); }
  broadcastTo(shape: readonly number[]): LazyArray { return man.broadcastTo(this, shape); }

  // Indexing and blocks
  /** Basic indexing: numbers, `slice(...)`, null (whole axis), "...", "newaxis". */
  get(selection: readonly ix.SelectionItem[] | ix.SelectionItem): LazyArray { return ix.getitem(this, selection); }
  take(indices: readonly number[] | Int32Array, axis = 0): LazyArray { return ix.take(this, indices, axis); }
  mapBlocks(fn: Parameters<typeof bw.mapBlocks>[0], options: bw.MapBlocksOptions = {}): LazyArray { return bw.mapBlocks(fn, [this], options); }
}
