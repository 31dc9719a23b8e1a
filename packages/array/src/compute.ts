/**
 * Running graphs: lowering the requested keys (culling), fusing blockwise chains, and handing the graph
 * to the configured scheduler; `compute`, `persist` and `blocks` are built on `runGraph`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TesseraError, blockIndices, blockShape, itemsize, sizeOf, type Dense, type Tile } from "@tessera/core";
import { fuse, keyOf, layerKeys, lower, makeLayer, type Graph, type Key, type Layer } from "@tessera/graph";
import { opDef } from "@tessera/kernels";
import { LazyArray } from "./array.js";
import { checkComputeOptions, getDefaults, resolveScheduler, type ComputeOptions } from "./config.js";
import { denseBlocks, denseWhole } from "./dense.js";
import { GROUP_BYTES, groupReductionChunks } from "./group-chunks.js";
import { mergeSiblingReductions } from "./siblings.js";
import { spillRechunks } from "./spill.js";
import type { Delayed } from "./delayed.js";

export interface OptimizeOptions {
  /** Input bytes one grouped reduction task may fold (more where the partials it replaces are larger; 0: no grouping); default 16 MiB. */
  readonly groupBytes?: number;
  /** The memory limit of the run: a group's input stays under a sixteenth of it. */
  readonly memoryLimit?: number;
}

/**
 * Groups the small blocks of reductions, merges sibling reductions, then fuses blockwise chains (the op
 * table says which ops absorb producers).
 */
export function optimize(graph: Graph, options: OptimizeOptions = {}): Graph {
  const grouped = groupReductionChunks(graph, options.groupBytes ?? GROUP_BYTES, (options.memoryLimit ?? Infinity) / 16);
  return fuse(mergeSiblingReductions(grouped), { absorbs: (t) => opDef(t.op)?.absorbs ?? false });
}

/** Lowers, optimizes and runs the graph for `outputs`; returns the outputs' values. */
export async function runGraph(
  roots: readonly Layer[],
  outputs: readonly Key[],
  options: ComputeOptions = {},
  extra: { onOutput?: (k: Key, v: unknown) => void | Promise<void>; retainOutputs?: boolean; outputWindow?: number } = {},
): Promise<Map<Key, unknown>> {
  checkComputeOptions(options);
  const opts = { ...getDefaults(), ...options };
  let graph = lower(roots, outputs);
  // A rechunk that cannot be done under the memory limit goes through a temporary store, removed at the end.
  let spillDir: string | undefined;
  if (opts.memoryLimit !== undefined) {
    graph = spillRechunks(graph, opts.memoryLimit, () => (spillDir = mkdtempSync(join(tmpdir(), "tessera-spill-"))));
  }
  if (opts.optimize !== false) graph = optimize(graph, opts.memoryLimit !== undefined ? { memoryLimit: opts.memoryLimit } : {});
  const scheduler = resolveScheduler(opts);
  try {
    return await scheduler.run(graph, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      ...(extra.onOutput ? { onOutput: extra.onOutput } : {}),
      ...(extra.retainOutputs !== undefined ? { retainOutputs: extra.retainOutputs } : {}),
      ...(extra.outputWindow !== undefined ? { outputWindow: extra.outputWindow } : {}),
    });
  } finally {
    if (spillDir !== undefined) rmSync(spillDir, { recursive: true, force: true });
  }
}

const toDense = (t: unknown): Dense => {
  const tile = t as Tile;
  return { data: tile.data, shape: [...tile.shape], dtype: tile.dtype };
};

/** Computes several arrays (and delayed values) in one run, sharing their common work. */
export async function computeAll(items: readonly (LazyArray | Delayed)[], options: ComputeOptions = {}): Promise<unknown[]> {
  const layers = items.map((x) => (x instanceof LazyArray ? denseWhole(x) : x.layer));
  const keys = layers.map((l) => keyOf(l.name, l.numblocks.map(() => 0)));
  const res = await runGraph(layers, keys, options);
  return items.map((x, i) => (x instanceof LazyArray ? toDense(res.get(keys[i]!)) : res.get(keys[i]!)));
}

/** Computes every block of `x` and returns an array over the blocks held in memory (same keys). */
export async function persist(x: LazyArray, options: ComputeOptions = {}): Promise<LazyArray> {
  const keys = layerKeys(x.layer);
  const res = await runGraph([x.layer], keys, options);
  const constants = new Map<string, unknown>();
  for (const k of keys) constants.set(`persisted-${k}`, res.get(k));
  const layer = makeLayer({
    name: x.layer.name,
    numblocks: x.layer.numblocks,
    deps: [],
    // A block already in memory: its bytes (as for asarray's blocks), made with no memory of its own.
    task: (index) => ({ op: "tile", args: [], attrs: { ref: `persisted-${keyOf(x.layer.name, index)}` }, placement: "cpu", nbytes: sizeOf(blockShape(x.chunks, index)) * itemsize(x.dtype), memory: 0 }),
    constants,
  });
  return new LazyArray(layer, x.shape, x.dtype, x.chunks);
}

export interface BlockResult extends Dense {
  readonly index: readonly number[];
}

/**
 * Streams the blocks of `x` in row-major order. The graph runs once; the scheduler works only on the two
 * blocks after the last one the consumer finished with (`outputWindow`), so one block is made while the
 * consumer uses the last, and no more are held ahead; breaking out of the loop aborts the rest.
 */
export async function* iterBlocks(x: LazyArray, options: ComputeOptions = {}): AsyncGenerator<BlockResult, void, undefined> {
  const layer = denseBlocks(x);
  const keys = layerKeys(layer);
  const indices = [...blockIndices(layer.numblocks)];
  const ac = new AbortController();
  const outer = options.signal;
  const onAbort = (): void => ac.abort(outer?.reason);
  outer?.addEventListener("abort", onAbort, { once: true });
  const buffer = new Map<Key, unknown>();
  let next = 0;
  let wake: (() => void) | undefined;
  let done = false;
  let failure: unknown;
  // Each block's promise resolves when the consumer is done with it (it asks for the next, or stops): the
  // scheduler works on the next two blocks not yet consumed, so a block is computed while the last is used.
  const finished = new Map<Key, () => void>();
  const onOutput = (k: Key, v: unknown): Promise<void> => {
    buffer.set(k, v);
    wake?.();
    return new Promise<void>((r) => finished.set(k, r));
  };
  const run = runGraph([layer], keys, { ...options, signal: ac.signal }, { onOutput, retainOutputs: false, outputWindow: 2 }).then(
    () => {
      done = true;
      wake?.();
    },
    (e: unknown) => {
      failure = e;
      done = true;
      wake?.();
    },
  );
  try {
    while (next < keys.length) {
      const k = keys[next]!;
      while (!buffer.has(k)) {
        if (failure !== undefined) throw failure;
        if (done) throw new TesseraError("TaskError", `blocks: block ${k} was never produced`);
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      const v = buffer.get(k);
      buffer.delete(k);
      next++;
      yield { index: indices[next - 1]!, ...toDense(v) };
      // The consumer is done with block k (it asked for the next one).
      finished.get(k)?.();
      finished.delete(k);
    }
  } finally {
    outer?.removeEventListener("abort", onAbort);
    if (!done) ac.abort(new Error("iteration stopped"));
    for (const r of finished.values()) r();
    await run;
  }
}
