import { describe, expect, it } from "vitest";
import { arange, asarray, eye, fromFunction, full, linspace, ones, random, zeros, zerosLike, type ChunkSpec } from "tessera";
import { castRef, mismatch, tabulate } from "./helpers/reference.js";

const CHUNKS: ChunkSpec[] = [3, 7, -1, 1];

describe("creation", () => {
  it("arange follows NumPy's length and values for any chunking", async () => {
    for (const [a, b, s] of [[0, 24, 1], [3, -7, -2], [0.5, 3.3, 0.7], [5, 5, 1]] as const) {
      const n = Math.max(0, Math.ceil((b - a) / s));
      for (const chunks of CHUNKS) {
        const x = arange(a, b, s, { chunks });
        const dtype = [a, b, s].every(Number.isInteger) ? "int64" : "float64";
        expect(mismatch(await x.compute(), { values: Array.from({ length: n }, (_, i) => a + i * s), shape: [n], dtype })).toBeUndefined();
      }
    }
    expect((await arange(4).compute()).shape).toEqual([4]);
  });

  it("linspace includes the endpoint exactly, or not", async () => {
    for (const chunks of CHUNKS) {
      const x = await linspace(-1, 2, 7, { chunks }).compute();
      expect(mismatch(x, { values: Array.from({ length: 7 }, (_, i) => (i === 6 ? 2 : -1 + i * 0.5)), shape: [7], dtype: "float64" })).toBeUndefined();
      const y = await linspace(0, 1, 4, { chunks, endpoint: false, dtype: "float32" }).compute();
      expect(mismatch(y, { values: [0, 0.25, 0.5, 0.75], shape: [4], dtype: "float32" })).toBeUndefined();
    }
  });

  it("eye with offsets and fills", async () => {
    for (const chunks of [2, [3, 2], -1] as ChunkSpec[]) {
      expect(mismatch(await eye(4, 5, { k: 1, chunks }).compute(), { values: tabulate([4, 5], ([i, j]) => (j === i! + 1 ? 1 : 0)), shape: [4, 5], dtype: "float64" })).toBeUndefined();
      expect(mismatch(await full([3, 4], 2.5, { chunks }).compute(), { values: new Array(12).fill(2.5), shape: [3, 4], dtype: "float64" })).toBeUndefined();
      expect(mismatch(await ones([3, 4], { chunks, dtype: "uint8" }).compute(), { values: new Array(12).fill(1), shape: [3, 4], dtype: "uint8" })).toBeUndefined();
      expect(mismatch(await full([2, 2], true, { chunks }).compute(), { values: [1, 1, 1, 1], shape: [2, 2], dtype: "bool" })).toBeUndefined();
    }
    expect(mismatch(await zerosLike(ones([2, 3], { dtype: "int16" })).compute(), { values: new Array(6).fill(0), shape: [2, 3], dtype: "int16" })).toBeUndefined();
    expect((await zeros([2, 0]).compute()).data.length).toBe(0);
  });

  it("asarray takes nested arrays, typed arrays with a shape, and results", async () => {
    const nested = [[1, 2.5, 3], [4, 5, -6]];
    const r = await asarray(nested, { chunks: [1, 2] }).compute();
    expect(mismatch(r, { values: nested.flat(), shape: [2, 3], dtype: "float64" })).toBeUndefined();
    expect(mismatch(await asarray(r, { chunks: 1 }).compute(), { values: nested.flat(), shape: [2, 3], dtype: "float64" })).toBeUndefined();
    expect(mismatch(await asarray([[true, false]]).compute(), { values: [1, 0], shape: [1, 2], dtype: "bool" })).toBeUndefined();
    expect(mismatch(await asarray(nested, { dtype: "int8" }).compute(), { values: nested.flat().map((v) => castRef(v, "int8")), shape: [2, 3], dtype: "int8" })).toBeUndefined();
    expect(mismatch(await asarray(7).compute(), { values: [7], shape: [], dtype: "float64" })).toBeUndefined();
  });

  it("a result never shares memory with the input data", async () => {
    const data = new Float64Array([1, 2, 3]);
    const r = await asarray(data).compute();
    expect(r.data).not.toBe(data);
    expect(r.data.buffer).not.toBe(data.buffer);
    (r.data as Float64Array)[0] = 99;
    expect(data[0]).toBe(1);
  });

  it("random values do not depend on the chunking, and follow their distributions", async () => {
    const shape = [300, 200];
    for (const make of [
      (chunks: ChunkSpec) => random.uniform(shape, { seed: 7, chunks, low: -2, high: 3 }),
      (chunks: ChunkSpec) => random.normal(shape, { seed: 7, chunks, loc: 1, scale: 2 }),
      (chunks: ChunkSpec) => random.integers(-5, 5, shape, { seed: 7, chunks }),
    ]) {
      const base = Array.from((await make(-1).compute()).data, Number);
      for (const chunks of [[7, 13], [300, 1], 64] as ChunkSpec[]) expect(Array.from((await make(chunks).compute()).data, Number)).toEqual(base);
    }
    // Moments against closed forms: U(-2, 3): mean 0.5, var 25/12; N(1, 2): mean 1, var 4; integers -5..4: mean -0.5, var 99/12.
    const n = 60000;
    for (const [x, mean, variance] of [
      [random.uniform(shape, { seed: 1, low: -2, high: 3 }), 0.5, 25 / 12],
      [random.normal(shape, { seed: 2, loc: 1, scale: 2 }), 1, 4],
      [random.integers(-5, 5, shape, { seed: 3 }), -0.5, 99 / 12],
    ] as const) {
      const [m, v] = await Promise.all([x.mean().compute(), x.var().compute()]);
      // 5 standard errors of the mean and of the variance.
      expect(Math.abs(Number(m.data[0]) - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(Math.abs(Number(v.data[0]) - variance) / variance).toBeLessThan(5 * Math.sqrt(2 / n) * 1.5);
    }
    const u = await random.uniform([1000], { seed: 4 }).min().compute();
    expect(Number(u.data[0])).toBeGreaterThanOrEqual(0);
    const other = await random.uniform([5], { seed: 5 }).compute();
    const same = await random.uniform([5], { seed: 4 }).compute();
    expect(Array.from(other.data as Float64Array)).not.toEqual(Array.from(same.data as Float64Array));
  });

  it("fromFunction calls the block function with each block's position", async () => {
    const x = fromFunction(({ offset, shape }) => Float64Array.from(tabulate(shape, ([i, j]) => (offset[0]! + i!) * 10 + offset[1]! + j!)), { shape: [5, 4], dtype: "float64", chunks: [2, 3] });
    expect(mismatch(await x.compute(), { values: tabulate([5, 4], ([i, j]) => i! * 10 + j!), shape: [5, 4], dtype: "float64" })).toBeUndefined();
  });
});
