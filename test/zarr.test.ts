import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { asarray, fromZarr, isTesseraError, store, toZarr, type DType, type Dense } from "tessera";
import { makeData, mismatch, type Ref } from "./helpers/reference.js";

const FIXTURES = new URL("./fixtures/zarr/", import.meta.url).pathname;
const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as { arrays: Record<string, { dtype: DType; shape: number[]; values: (number | string)[] }> };
const dir = mkdtempSync(join(tmpdir(), "tessera-zarr-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Walks a directory tree. */
function files(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(root, e.name)) : [join(root, e.name)]));
}

describe("arrays written by zarr-python (fixtures from scripts/fixtures/zarr_fixtures.py) read back exactly", () => {
  for (const [name, e] of Object.entries(expected.arrays)) {
    it(name, async () => {
      const x = await fromZarr(FIXTURES, { path: name });
      expect(x.dtype).toBe(e.dtype);
      expect(x.shape).toEqual(e.shape);
      const want: Ref = { values: e.values.map(Number), shape: e.shape, dtype: e.dtype };
      expect(mismatch(await x.compute(), want, 0)).toBeUndefined();
      // Rechunked on read, and read partly (only the touched chunks).
      expect(mismatch(await (await fromZarr(FIXTURES, { path: name, chunks: [4, -1] })).compute(), want, 0)).toBeUndefined();
    });
  }
});

describe("round trips through Zarr", () => {
  const DTYPES: DType[] = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"];
  for (const format of [3, 2] as const) {
    it(`v${format}, every codec and dtype, blocks unlike the Zarr chunks`, async () => {
      const failures: string[] = [];
      for (const dtype of DTYPES) {
        const { data, ref } = makeData(dtype, [9, 7], 3);
        const x = asarray(data, { shape: [9, 7], dtype, chunks: [4, 3] });
        for (const codec of ["none", "gzip", "zstd", "blosc"] as const) {
          const path = `rt/v${format}/${dtype}-${codec}`;
          await toZarr(x, dir, { path, zarrFormat: format, codec, chunks: [5, 2], attributes: { dtype, codec } });
          const y = await fromZarr(dir, { path });
          expect(y.chunks).toEqual([[5, 4], [2, 2, 2, 1]]);
          const m = mismatch(await y.compute(), ref, 0);
          if (m) failures.push(`${dtype}/${codec}: ${m}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it("overwriting needs { overwrite: true }, which replaces the array", async () => {
    const a = asarray(new Float32Array([1, 2, 3]));
    await toZarr(a, dir, { path: "ow" });
    await expect(toZarr(a, dir, { path: "ow" })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /overwrite: true/.test((e as Error).message));
    await toZarr(asarray(new Int16Array([7, 8])), dir, { path: "ow", overwrite: true });
    const r = await (await fromZarr(dir, { path: "ow" })).compute();
    expect(r.dtype).toBe("int16");
    expect(Array.from(r.data as Int16Array)).toEqual([7, 8]);
  });

  it("a missing array is an error that names the path", async () => {
    await expect(fromZarr(dir, { path: "nowhere" })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /nowhere/.test((e as Error).message));
  });

  it("an aborted write leaves only whole chunks and no temporary files", async () => {
    const { data, ref } = makeData("float64", [64, 64], 5);
    let done = 0;
    const ac = new AbortController();
    const x = asarray(data, { shape: [64, 64], chunks: [8, 8] }).mapBlocks((b: Dense) => {
      if (++done === 20) ac.abort(new Error("stop"));
      return b.data;
    });
    await expect(toZarr(x, dir, { path: "aborted", chunks: [8, 8], codec: "gzip", signal: ac.signal })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "AbortError"));
    const all = files(join(dir, "aborted"));
    expect(all.some((f) => f.includes(".tessera-tmp-"))).toBe(false);
    const written = all.filter((f) => /\/c\/\d+\/\d+$/.test(f)).length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(64);
    // Every chunk present decodes to its values; the others read as the fill value (0).
    const got = await (await fromZarr(dir, { path: "aborted" })).compute();
    const g = got.data as Float64Array;
    let whole = 0;
    for (let bi = 0; bi < 8; bi++) {
      for (let bj = 0; bj < 8; bj++) {
        const vals: number[] = [];
        const want: number[] = [];
        for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) {
          vals.push(g[(bi * 8 + i) * 64 + bj * 8 + j]!);
          want.push(ref.values[(bi * 8 + i) * 64 + bj * 8 + j]!);
        }
        const isWant = vals.every((v, k) => v === want[k]);
        const isFill = vals.every((v) => v === 0);
        expect(isWant || isFill).toBe(true);
        if (isWant) whole++;
      }
    }
    expect(whole).toBe(written);
  });
});

describe("store into a region of an existing array", () => {
  for (const format of [3, 2] as const) {
    it(`v${format}: chunk-aligned regions are written, the rest is left alone`, async () => {
      const base = makeData("int32", [12, 10], 1);
      const patch = makeData("int32", [6, 4], 2);
      const path = `region-v${format}`;
      await toZarr(asarray(base.data, { shape: [12, 10], chunks: [5, 5] }), dir, { path, zarrFormat: format, chunks: [3, 2], codec: "gzip" });
      await store(asarray(patch.data, { shape: [6, 4], chunks: [4, 3] }), dir, { path, region: [[3, 9], [6, 10]] });
      const got = await (await fromZarr(dir, { path })).compute();
      const want = base.ref.values.map((v, k) => {
        const [i, j] = [Math.floor(k / 10), k % 10];
        return i >= 3 && i < 9 && j >= 6 ? patch.ref.values[(i - 3) * 4 + (j - 6)]! : v;
      });
      expect(mismatch(got, { values: want, shape: [12, 10], dtype: "int32" }, 0)).toBeUndefined();
      await expect(store(asarray(patch.data, { shape: [6, 4] }), dir, { path, region: [[2, 8], [6, 10]] })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ChunkSpecError") && /chunk boundaries/.test((e as Error).message));
    });
  }
});

describe("unsupported Zarr arrays", () => {
  it("float16 (written by zarr-python) is a DTypeError that says so, not a missing array", async () => {
    await expect(fromZarr(FIXTURES, { path: "unsupported/float16" })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "DTypeError") && /float16/.test((e as Error).message));
  });
});
