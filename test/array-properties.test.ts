import { describe, expect, it } from "vitest";
import { arange, asarray, ones } from "tessera";

describe("array properties", () => {
  it("shape, chunks, numblocks, chunksize, nbytes and a dask-like repr", () => {
    const x = ones([10, 7], { chunks: [4, 3], dtype: "float32" });
    expect(x.chunks).toEqual([[4, 4, 2], [3, 3, 1]]);
    expect(x.numblocks).toEqual([3, 3]);
    expect(x.chunksize).toEqual([4, 3]);
    expect(x.nbytes).toBe(280);
    expect(x.ndim).toBe(2);
    expect(x.size).toBe(70);
    expect(String(x)).toBe("tessera.Array<full, shape=(10, 7), dtype=float32, chunksize=(4, 3), blocks=9, tasks=9>");
    expect(String(arange(3))).toMatch(/shape=\(3,\), dtype=int64/);
  });
  it("auto chunks aim at the byte target", () => {
    const x = ones([20000, 20000], { chunks: "auto", dtype: "float64" });
    const bytes = x.chunksize[0]! * x.chunksize[1]! * 8;
    expect(bytes).toBeLessThanOrEqual(128 * 2 ** 20);
    expect(bytes).toBeGreaterThan(64 * 2 ** 20);
  });
});

describe("reshape rechunks only where it must", () => {
  it("merging axes whose inner axis is whole keeps the blocks", () => {
    const x = asarray(new Float64Array(24 * 6), { shape: [24, 6], chunks: [4, -1] });
    const y = x.reshape([-1]);
    expect(y.chunks).toEqual([new Array(6).fill(24)]);
    // One reshape task per block, no rechunk layer in between.
    expect(y.numTasks).toBe(x.numTasks * 2);
    expect(y.layer.deps[0]!.name).toBe(x.name);
  });
  it("splitting an axis whose blocks are multiples of the inner size keeps them", () => {
    const x = asarray(new Float64Array(48), { chunks: 12 });
    const y = x.reshape([4, 3, 4]);
    expect(y.chunks).toEqual([[1, 1, 1, 1], [3], [4]]);
    expect(y.numTasks).toBe(x.numTasks * 2);
  });
  it("adding or dropping unit axes never rechunks", () => {
    const x = asarray(new Float64Array(60), { shape: [6, 10], chunks: [2, 5] });
    expect(x.reshape([1, 6, 10, 1]).chunks).toEqual([[1], [2, 2, 2], [5, 5], [1]]);
    expect(x.reshape([1, 6, 10, 1]).numTasks).toBe(x.numTasks * 2);
  });
  it("a misaligned split rechunks the input to multiples of what the split needs", () => {
    const x = asarray(new Float64Array(24), { chunks: 5 });
    const y = x.reshape([2, 3, 4]);
    expect(y.chunks).toEqual([[1, 1], [3], [4]]);
    expect(y.layer.deps[0]!.name).toMatch(/^rechunk-/);
    expect(x.reshape([4, 6]).layer.deps[0]!.name).toMatch(/^rechunk-/);
  });
});
