import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { asarray, fromZarr, isTesseraError, store, toZarr, type DType, type Dense, type SchedulerEvent } from "tessera";
import { halfToNumber, numberToHalf } from "@tessera/store";
import { FetchStore } from "zarrita";
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

describe("codec work off the main thread", () => {
  it("each chunk is encoded and decoded by a task of its own, in a worker under the thread scheduler", async () => {
    const { data, ref } = makeData("float64", [40, 30], 6);
    const x = asarray(data, { shape: [40, 30], chunks: [16, 16] });
    const threads = { scheduler: "threads", workers: 2, inlineBytes: 0 } as const;
    const where = (ops: Map<string, string[]>) => (e: SchedulerEvent) => {
      if (e.type === "task-end") ops.set(e.op, [...(ops.get(e.op) ?? []), e.backend]);
    };
    const wrote = new Map<string, string[]>();
    await toZarr(x, dir, { path: "codec-tasks", chunks: [10, 10], codec: "gzip", ...threads, onEvent: where(wrote) });
    expect(wrote.get("module-kernel")).toEqual(Array(12).fill("cpu:worker"));
    expect(wrote.get("sink-put")?.length).toBe(12);
    const read = new Map<string, string[]>();
    const y = await fromZarr(dir, { path: "codec-tasks" });
    expect(mismatch(await y.compute({ ...threads, onEvent: where(read) }), ref, 0)).toBeUndefined();
    expect(read.get("source-fetch")?.length).toBe(12);
    expect(read.get("module-kernel")).toEqual(Array(12).fill("cpu:worker"));
    // Decoding fused into what reads the blocks (an async step in a fused task): a reduction.
    const sum = ref.values.reduce((a, v) => a + 2 * v, 0);
    for (const opts of [threads, { scheduler: "sync" } as const]) expect(Number((await y.mul(2).sum().compute(opts)).data[0])).toBeCloseTo(sum, 6);
  });
});

describe("uncompressed chunks read straight from their files", () => {
  const threads = { scheduler: "threads", workers: 2, inlineBytes: 0 } as const;

  it("are loaded by one task per chunk in a worker, fused with what consumes them, with no main-thread fetch", async () => {
    const { data, ref } = makeData("float32", [40, 30], 8);
    for (const zarrFormat of [2, 3] as const) {
      const path = `raw-load-v${zarrFormat}`;
      await toZarr(asarray(data, { shape: [40, 30], chunks: [16, 16] }), dir, { path, chunks: [10, 10], codec: "none", zarrFormat });
      const y = await fromZarr(dir, { path });
      const ops = new Map<string, string[]>();
      const onEvent = (e: SchedulerEvent): void => {
        if (e.type === "task-end") ops.set(e.op, [...(ops.get(e.op) ?? []), e.backend]);
      };
      expect(mismatch(await y.compute({ ...threads, onEvent }), ref, 0)).toBeUndefined();
      expect(ops.get("module-kernel")).toEqual(Array(12).fill("cpu:worker"));
      expect(ops.has("source-fetch")).toBe(false);
      // Loading fused into a reduction: no task of its own.
      ops.clear();
      const sum = ref.values.reduce((a, v) => a + 3 * Math.fround(v), 0);
      expect(Number((await y.mul(3).sum().compute({ ...threads, onEvent })).data[0])).toBeCloseTo(sum, 3);
      expect(ops.has("module-kernel")).toBe(false);
      expect([...ops.keys()]).toContain("fused");
    }
  });

  it("missing chunk files read as the fill value, in v2 and v3, every dtype", async () => {
    for (const zarrFormat of [2, 3] as const) {
      for (const dtype of ["bool", "uint8", "int16", "int64", "uint64", "float32", "float64"] as const) {
        const { data, ref } = makeData(dtype, [6, 6], 4);
        const path = `raw-missing-v${zarrFormat}-${dtype}`;
        const fill = dtype === "bool" ? 1 : 5;
        await toZarr(asarray(data, { shape: [6, 6], dtype }), dir, { path, chunks: [3, 3], codec: "none", zarrFormat, fillValue: fill });
        rmSync(join(dir, path, zarrFormat === 3 ? "c/1/0" : "1.0"));
        const want = ref.values.map((v, i) => (Math.floor(i / 6) >= 3 && i % 6 < 3 ? fill : v));
        expect(mismatch(await (await fromZarr(dir, { path })).compute(), { ...ref, values: want }, 0), `${dtype} v${zarrFormat}`).toBeUndefined();
      }
    }
  });

  it("missing chunks of 64-bit integer arrays read as the exact fill value, as zarrita's own decoding reads them", async () => {
    const { writeFileSync } = await import("node:fs");
    // Past 2^53 but exact as JSON numbers (JavaScript's JSON.parse, zarrita's too, rounds other integers that large).
    for (const [dtype, fill] of [["int64", "4611686018427387904"], ["uint64", "9223372036854775808"], ["int64", "-9223372036854775808"], ["int64", "9007199254740993"]] as const) {
      const path = `raw-bigfill-${dtype}-${fill.length}`;
      await toZarr(asarray(new BigInt64Array(16).map((_, i) => BigInt(i)), { shape: [4, 4], dtype: "int64" }).astype(dtype), dir, { path, chunks: [2, 2], codec: "none", zarrFormat: 2 });
      // The fill value as zarr-python writes it for these types: a JSON integer past 2^53 (edited into the metadata).
      const metaFile = join(dir, path, ".zarray");
      writeFileSync(metaFile, readFileSync(metaFile, "utf8").replace(/"fill_value":\s*[^,}]+/, `"fill_value": ${fill}`));
      rmSync(join(dir, path, "1.1"));
      const direct = await (await fromZarr(dir, { path })).compute();
      // The same array through a store that is not a directory: zarrita fetches and decodes every chunk.
      const viaZarrita = await (await fromZarr({ get: async (k: `/${string}`) => { try { return new Uint8Array(await readFile(join(dir, path, k))); } catch { return undefined; } } })).compute();
      expect(Array.from(direct.data as BigInt64Array, String)).toEqual(Array.from(viaZarrita.data as BigInt64Array, String));
      if (fill !== "9007199254740993") expect(String((direct.data as BigInt64Array)[15])).toBe(fill);
    }
  });

  it("a truncated chunk file is an error that names the file and the sizes", async () => {
    const path = "raw-truncated";
    await toZarr(asarray(new Float64Array(64).map((_, i) => i), { shape: [8, 8] }), dir, { path, chunks: [4, 4], codec: "none", zarrFormat: 2 });
    const file = join(dir, path, "1.1");
    const { truncateSync } = await import("node:fs");
    truncateSync(file, 100);
    const y = await fromZarr(dir, { path });
    for (const opts of [threads, { scheduler: "sync" } as const]) {
      await expect(y.sum().compute(opts)).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && (e as Error).message.includes(file) && /fromZarr: chunk file/.test((e as Error).message) && /100 bytes/.test((e as Error).message) && /128/.test((e as Error).message));
    }
  });
});

describe("stores other than a directory", () => {
  /** A store in memory: any object with get (and set, delete to write) works, as with zarrita. */
  const memoryStore = () => {
    const m = new Map<string, Uint8Array>();
    return {
      map: m,
      get: async (k: string) => m.get(k),
      set: async (k: string, v: Uint8Array) => void m.set(k, v.slice()),
      delete: async (prefix: string) => {
        for (const k of [...m.keys()]) if (k === prefix || k.startsWith(`${prefix}/`)) m.delete(k);
      },
    };
  };

  it("write and read v3 and v2 through a user's store; two stores never share keys", async () => {
    const { data, ref } = makeData("int32", [6, 5], 8);
    const x = asarray(data, { shape: [6, 5], chunks: [4, 2] });
    for (const zarrFormat of [3, 2] as const) {
      const s1 = memoryStore();
      await toZarr(x, s1, { path: "a", zarrFormat, codec: "zstd", chunks: [3, 3] });
      expect([...s1.map.keys()].some((k) => k.startsWith("/a/"))).toBe(true);
      const y = await fromZarr(s1, { path: "a" });
      expect(mismatch(await y.compute(), ref, 0)).toBeUndefined();
      const s2 = memoryStore();
      await toZarr(x.mul(2), s2, { path: "a", zarrFormat, chunks: [3, 3] });
      const z = await fromZarr(s2, { path: "a" });
      expect(z.name).not.toBe(y.name);
      const [a, b] = await Promise.all([y.compute(), z.compute()]);
      expect(Array.from(b.data as Int32Array)).toEqual(Array.from(a.data as Int32Array, (v) => 2 * v));
      // Overwriting goes through the store's delete.
      await toZarr(x.add(1), s1, { path: "a", zarrFormat, chunks: [3, 3], overwrite: true });
      expect(Number((await (await fromZarr(s1, { path: "a" })).compute()).data[0])).toBe(ref.values[0]! + 1);
    }
  });

  it("over HTTP: zarrita's FetchStore against a local server of the zarr-python fixtures", async () => {
    const server = createServer((req, res) => {
      readFile(join(FIXTURES, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)))
        .then((b) => res.end(b))
        .catch(() => {
          res.statusCode = 404;
          res.end();
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      for (const name of ["v2/float32-zstd", "v2/missing", "v3/float16"]) {
        const e = expected.arrays[name]!;
        const x = await fromZarr(new FetchStore(`http://127.0.0.1:${port}/`), { path: name });
        expect(mismatch(await x.compute(), { values: e.values.map(Number), shape: e.shape, dtype: e.dtype }, 0)).toBeUndefined();
      }
    } finally {
      server.close();
    }
  });

  it("chunk writes in flight are bounded (16 at a time), and more than one runs at once", async () => {
    const s = memoryStore();
    let now = 0;
    let most = 0;
    const slow = {
      get: s.get,
      delete: s.delete,
      set: async (k: string, v: Uint8Array) => {
        most = Math.max(most, ++now);
        await new Promise((r) => setTimeout(r, 3));
        await s.set(k, v);
        now--;
      },
    };
    const { data, ref } = makeData("int16", [64, 64], 4);
    await toZarr(asarray(data, { shape: [64, 64], chunks: 8 }), slow, { path: "slow", chunks: [8, 8], codec: "none", scheduler: "threads", workers: 2 });
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(16);
    expect(mismatch(await (await fromZarr(s, { path: "slow" })).compute(), ref, 0)).toBeUndefined();
  });

  it("a read-only store reads, and refuses writes with an error that says why", async () => {
    const s = memoryStore();
    await toZarr(asarray(new Float64Array([1, 2, 3])), s, { path: "r" });
    const readOnly = { get: s.get };
    expect(Array.from((await (await fromZarr(readOnly, { path: "r" })).compute()).data as Float64Array)).toEqual([1, 2, 3]);
    await expect(toZarr(asarray(new Float64Array([1])), readOnly, { path: "w" })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /no set method/.test((e as Error).message));
    const noDelete = { get: s.get, set: s.set };
    await expect(toZarr(asarray(new Float64Array([1])), noDelete, { path: "r", overwrite: true })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /no delete method/.test((e as Error).message));
  });

  it("float16 bit patterns: decoding matches NumPy's fixtures (above); encoding inverts decoding for every pattern", () => {
    for (let h = 0; h < 65536; h++) {
      const v = halfToNumber(h);
      if (Number.isNaN(v)) continue;
      if (numberToHalf(v) !== h) throw new Error(`pattern ${h.toString(16)}: ${v} encodes to ${numberToHalf(v).toString(16)}`);
    }
    // Halfway between two patterns rounds to the even one; beyond the largest finite value, infinity.
    expect(numberToHalf(1 + 2 ** -11)).toBe(numberToHalf(1));
    expect(numberToHalf(1 + 3 * 2 ** -11)).toBe(numberToHalf(1 + 2 ** -9));
    expect(numberToHalf(65520)).toBe(0x7c00);
    expect(numberToHalf(2 ** -25)).toBe(0);
    expect(numberToHalf(3 * 2 ** -25)).toBe(2);
  });
});
