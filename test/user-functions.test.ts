import { describe, expect, it } from "vitest";
import { asarray, blockwise, compute, delayed, fromDelayed, fromSource, isTesseraError, mapBlocks, reduction, slice, stack, storeBlocks, type ChunkSink, type ChunkSource, type Dense } from "tessera";
import { makeData, mismatch, ravel, tabulate } from "./helpers/reference.js";

const shape = [6, 5];
const { data, ref } = makeData("float64", shape, 12);

describe("mapBlocks", () => {
  it("applies a user function to each block, with the block's position", async () => {
    const x = asarray(data, { shape, chunks: [4, 2] });
    const seen: number[][] = [];
    const y = x.mapBlocks((b: Dense, info: { blockIndex: readonly number[]; offset: readonly number[] }) => {
      seen.push([...info.blockIndex]);
      return Float64Array.from(b.data as Float64Array, (v, i) => v * 2 + info.offset[0]! + Math.floor(i / b.shape[1]!));
    });
    const expected = { values: tabulate(shape, ([i, j]) => ref.values[ravel([i!, j!], shape)]! * 2 + i!), shape, dtype: "float64" as const };
    expect(mismatch(await y.compute(), expected)).toBeUndefined();
    expect(seen.length).toBe(6);
  });

  it("takes built-in ops by name and aligns several arrays", async () => {
    const x = asarray(data, { shape, chunks: [4, 2] });
    const y = asarray(data, { shape, chunks: [3, 5] });
    const r = await mapBlocks("add", [x, y]).compute();
    expect(mismatch(r, { ...ref, values: ref.values.map((v) => 2 * v) })).toBeUndefined();
    const z = mapBlocks((a: Dense, b: Dense) => Float64Array.from(a.data as Float64Array, (v, i) => v - (b.data as Float64Array)[i]!), [x, y]);
    expect(mismatch(await z.compute(), { ...ref, values: ref.values.map(() => 0) })).toBeUndefined();
  });

  it("drops axes (seen whole) and adds axes", async () => {
    const x = asarray(data, { shape, chunks: [4, 2] });
    const rowSums = x.mapBlocks((b: Dense) => Float64Array.from({ length: b.shape[0]! }, (_, i) => (b.data as Float64Array).slice(i * b.shape[1]!, (i + 1) * b.shape[1]!).reduce((a, c) => a + c, 0)), { dropAxis: 1 });
    expect(rowSums.shape).toEqual([6]);
    const expected = { values: tabulate([6], ([i]) => tabulate([5], ([j]) => ref.values[ravel([i!, j!], shape)]!).reduce((a, b) => a + b, 0)), shape: [6], dtype: "float64" as const };
    expect(mismatch(await rowSums.compute(), expected)).toBeUndefined();
    const expanded = x.mapBlocks((b: Dense) => b.data, { newAxis: 0 });
    expect(expanded.shape).toEqual([1, 6, 5]);
    expect(mismatch(await expanded.compute(), { ...ref, shape: [1, 6, 5] })).toBeUndefined();
  });

  it("a block of the wrong shape or dtype is an error naming the block", async () => {
    const x = asarray(data, { shape, chunks: [4, 2] });
    await expect(x.mapBlocks(() => new Float64Array(3)).compute()).rejects.toSatisfy((e: unknown) => isTesseraError(e, "DelayedMismatch") && /block \[\d+, \d+\]/.test((e as Error).message));
    await expect(x.mapBlocks((b: Dense) => new Float32Array(b.data.length)).compute()).rejects.toSatisfy((e: unknown) => isTesseraError(e, "DelayedMismatch") && /dtype/.test((e as Error).message));
  });
});

describe("blockwise in index notation", () => {
  it("contracts an index: a matrix product", async () => {
    const a = makeData("float64", [6, 4], 1);
    const b = makeData("float64", [4, 3], 2);
    const x = asarray(a.data, { shape: [6, 4], chunks: [2, 3] });
    const y = asarray(b.data, { shape: [4, 3], chunks: [2, 2] });
    const matmul = (p: Dense, q: Dense): Float64Array => {
      const [n, k] = p.shape as [number, number];
      const m = q.shape[1]!;
      const out = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let l = 0; l < k; l++) out[i * m + j]! += (p.data as Float64Array)[i * k + l]! * (q.data as Float64Array)[l * m + j]!;
      return out;
    };
    const z = blockwise(matmul, "ik", x, "ij", y, "jk", { dtype: "float64" });
    expect(z.shape).toEqual([6, 3]);
    const expected = { values: tabulate([6, 3], ([i, k]) => [0, 1, 2, 3].reduce((s, j) => s + a.ref.values[i! * 4 + j]! * b.ref.values[j * 3 + k!]!, 0)), shape: [6, 3], dtype: "float64" as const };
    expect(mismatch(await z.compute(), expected)).toBeUndefined();
  });

  it("built-in ops transpose and broadcast by index", async () => {
    const x = asarray(data, { shape, chunks: [4, 2] });
    const v = asarray(new Float64Array([1, 2, 3, 4, 5, 6]), { chunks: 4 });
    const z = blockwise("mul", "ji", x, "ij", v, "i");
    const expected = { values: tabulate([5, 6], ([j, i]) => ref.values[ravel([i!, j!], shape)]! * (i! + 1)), shape: [5, 6], dtype: "float64" as const };
    expect(mismatch(await z.compute(), expected)).toBeUndefined();
  });
});

describe("delayed", () => {
  it("rescales each image with a delayed function, then stacks and reduces (the Dask workflow)", async () => {
    const images = [0, 1, 2].map((k) => makeData("uint8", [4, 3], k + 1));
    const load = delayed((k: number) => ({ data: images[k]!.data, shape: [4, 3], dtype: "uint8" as const }));
    const rescale = delayed((img: Dense) => {
      const d = img.data as Uint8Array;
      const lo = Math.min(...d);
      const hi = Math.max(...d);
      return { data: Float32Array.from(d, (v) => (v - lo) / (hi - lo)), shape: img.shape, dtype: "float32" as const };
    });
    const arrays = [0, 1, 2].map((k) => fromDelayed(rescale(load(k)), { shape: [4, 3], dtype: "float32" }));
    const mean = stack(arrays).mean({ axis: 0 });
    const scaled = images.map(({ ref: r }) => {
      const lo = Math.min(...r.values);
      const hi = Math.max(...r.values);
      return r.values.map((v) => Math.fround((v - lo) / (hi - lo)));
    });
    const expected = { values: tabulate([4, 3], ([i, j]) => Math.fround((scaled[0]![i! * 3 + j!]! + scaled[1]![i! * 3 + j!]! + scaled[2]![i! * 3 + j!]!) / 3)), shape: [4, 3], dtype: "float32" as const };
    expect(mismatch(await mean.compute(), expected, 1e-6)).toBeUndefined();
  });

  it("delayed values compute alone and take lazy arrays as arguments", async () => {
    const total = delayed((d: Dense) => Array.from(d.data as Float64Array).reduce((a, b) => a + b, 0));
    const x = asarray(data, { shape, chunks: [4, 2] });
    const s = await total(x).compute();
    expect(s).toBeCloseTo(ref.values.reduce((a, b) => a + b, 0), 10);
    const add = delayed(async (a: number, b: number) => a + b);
    const [v, w] = await compute(add(total(x), 1), x.sum());
    expect(v).toBeCloseTo(s + 1, 10);
    expect(Number((w as Dense).data[0])).toBeCloseTo(s, 10);
  });

  it("a delayed result that breaks its promised shape or dtype is an error", async () => {
    const f = delayed(() => new Float32Array(5));
    await expect(fromDelayed(f(), { shape: [2, 3], dtype: "float32" }).compute()).rejects.toSatisfy((e: unknown) => isTesseraError(e, "DelayedMismatch") && /shape \(2, 3\)/.test((e as Error).message));
    await expect(fromDelayed(f(), { shape: [5], dtype: "float64" }).compute()).rejects.toSatisfy((e: unknown) => isTesseraError(e, "DelayedMismatch"));
  });
});

describe("user reductions", () => {
  it("chunk / combine / aggregate with a tree: an L2 norm, against the reference", async () => {
    /** Sums a 2-d block over ctx.axis (mapping each value through f first). */
    const sumAlong = (f: (v: number) => number, post: (v: number) => number) => (b: Dense, ctx: { axis: readonly number[]; keepdims: boolean }): Dense => {
      const [n, m] = b.shape as [number, number];
      const ax = ctx.axis;
      const kept = [ax.includes(0) ? 1 : n, ax.includes(1) ? 1 : m];
      const out = new Float64Array(kept[0]! * kept[1]!);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[(ax.includes(0) ? 0 : i) * kept[1]! + (ax.includes(1) ? 0 : j)]! += f((b.data as Float64Array)[i * m + j]!);
      return { data: out.map(post), shape: ctx.keepdims ? kept : kept.filter((_, d) => !ax.includes(d)), dtype: "float64" };
    };
    const id = (v: number): number => v;
    for (const chunks of [[1, 1], [4, 2], [-1, -1]] as const) {
      const x = asarray(data, { shape, chunks: chunks as never });
      for (const axis of [0, 1]) {
        const r = reduction(x, { chunk: sumAlong((v) => v * v, id), combine: sumAlong(id, id), aggregate: sumAlong(id, Math.sqrt), axis, dtype: "float64", splitEvery: 2 });
        const other = 1 - axis;
        const expected = { values: tabulate([shape[other]!], ([k]) => Math.sqrt(tabulate([shape[axis]!], ([l]) => ref.values[ravel(axis === 0 ? [l!, k!] : [k!, l!], shape)]! ** 2).reduce((a, b) => a + b, 0))), shape: [shape[other]!], dtype: "float64" as const };
        expect(mismatch(await r.compute(), expected, 1e-9)).toBeUndefined();
        const kept = reduction(x, { chunk: sumAlong((v) => v * v, id), combine: sumAlong(id, id), aggregate: sumAlong(id, Math.sqrt), axis, keepdims: true, dtype: "float64" });
        expect(kept.shape).toEqual(axis === 0 ? [1, 5] : [6, 1]);
        expect(mismatch(await kept.compute(), { ...expected, shape: kept.shape as number[] }, 1e-9)).toBeUndefined();
      }
    }
  });
});

describe("results", () => {
  it("persist computes once and keeps the keys", async () => {
    let calls = 0;
    const x = asarray(data, { shape, chunks: [4, 2] }).mapBlocks((b: Dense) => {
      calls++;
      return b.data;
    });
    const p = await x.persist();
    expect(calls).toBe(6);
    expect(p.name).toBe(x.name);
    expect(mismatch(await p.add(1).compute(), { ...ref, values: ref.values.map((v) => v + 1) })).toBeUndefined();
    expect(calls).toBe(6);
  });

  it("blocks() streams blocks in row-major order and stops early when asked", async () => {
    const x = asarray(data, { shape, chunks: [4, 2] }).mul(2);
    const seen: number[][] = [];
    for await (const b of x.blocks()) {
      seen.push([...b.index]);
      const off = [b.index[0]! * 4, b.index[1]! * 2];
      const exp = { values: tabulate(b.shape, ([i, j]) => 2 * ref.values[ravel([off[0]! + i!, off[1]! + j!], shape)]!), shape: [...b.shape], dtype: "float64" as const };
      expect(mismatch(b, exp)).toBeUndefined();
    }
    expect(seen).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
    let n = 0;
    for await (const _ of x.blocks()) if (++n === 2) break;
    expect(n).toBe(2);
  });

  it("compute(a, b) shares common work", async () => {
    let calls = 0;
    const x = asarray(data, { shape, chunks: [4, 2] }).mapBlocks((b: Dense) => {
      calls++;
      return b.data;
    });
    await compute(x.sum(), x.mean({ axis: 0 }), x.get([0]));
    expect(calls).toBe(6);
  });
});

describe("user chunk sources and sinks", () => {
  const shape = [7, 5];
  const { data, ref } = makeData("float32", shape, 13);
  /** A source over an in-memory array, blocks of 3 rows, each read returning a fresh copy. */
  const rowsSource = (over: Partial<ChunkSource> = {}): ChunkSource & { reads: number[][] } => {
    const reads: number[][] = [];
    return {
      shape,
      dtype: "float32",
      chunks: [[3, 3, 1], [5]],
      token: "rows-of-data",
      reads,
      async read(index) {
        reads.push([...index]);
        const r0 = index[0]! * 3;
        const n = Math.min(3, 7 - r0);
        return { data: (data as Float32Array).slice(r0 * 5, (r0 + n) * 5), shape: [n, 5], dtype: "float32" };
      },
      ...over,
    } as ChunkSource & { reads: number[][] };
  };

  it("fromSource reads only the blocks a result needs, and storeBlocks writes every block of a sink's grid", async () => {
    const src = rowsSource();
    const x = fromSource(src);
    expect(x.chunks).toEqual([[3, 3, 1], [5]]);
    expect(mismatch(await x.compute(), ref)).toBeUndefined();
    src.reads.length = 0;
    await x.get([slice(4, 6)]).compute();
    expect(src.reads).toEqual([[1, 0]]);
    // A sink with blocks of 2 x 5: the array is rechunked to them before writing.
    const written = new Map<string, number[]>();
    const sink: ChunkSink = {
      chunks: [[2, 2, 2, 1], [5]],
      token: "collect",
      async write(index, t) {
        // The block's values through its strides (a block may be a view).
        const [h, w] = t.shape as [number, number];
        written.set(index.join(","), tabulate([h, w], ([i, j]) => Number(t.data[t.offset + i! * t.strides[0]! + j! * t.strides[1]!])));
      },
    };
    await storeBlocks(x.mul(2), sink);
    expect([...written.keys()].sort()).toEqual(["0,0", "1,0", "2,0", "3,0"]);
    expect(written.get("1,0")).toEqual(ref.values.slice(10, 20).map((v) => Math.fround(2 * v)));
  });

  it("a bad source is refused before any read; a block of the wrong shape is an error that names the block", async () => {
    expect(() => fromSource(rowsSource({ chunks: [[3, 3], [5]] }))).toThrow(/add up to the shape/);
    expect(() => fromSource(rowsSource({ dtype: "float16" as never }))).toThrow(/is not a dtype/);
    expect(() => fromSource(rowsSource({ token: "" }))).toThrow(/token/);
    const wrong = rowsSource({ read: async () => ({ data: new Float32Array(10), shape: [2, 5], dtype: "float32" }) });
    await expect(fromSource(wrong).compute()).rejects.toSatisfy((e: unknown) => isTesseraError(e) && /block \[0, 0\]/.test((e as Error).message) && /shape \(3, 5\)/.test((e as Error).message));
  });
});
