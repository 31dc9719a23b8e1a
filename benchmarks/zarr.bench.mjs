// toZarr / fromZarr throughput of a float32 array (4 GiB by default) with zstd, beside the codec's raw speed
// (numcodecs zstd encoding and decoding one chunk in memory, on one thread, in the same run; the engine encodes
// and decodes in its workers, so on 2 cores it can beat that). Data: quantised random values
// (multiples of 1/256), so zstd has something to compress, as in real measurements.
// Run: node benchmarks/zarr.bench.mjs   (ZARR_BENCH_N=16384 for 1 GiB)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromZarr, random, shutdown, toZarr } from "tessera";
import { peakRssMiB, report, round, writeResult } from "./lib.mjs";

const N = Number(process.env.ZARR_BENCH_N ?? 32768);
const CHUNK = 4096; // 64 MiB float32 chunks

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "tessera-zarr-bench-"));
  const bytes = N * N * 4;
  const x = random.integers(0, 256, [N, N], { seed: 1, chunks: CHUNK, dtype: "float32" }).div(256).astype("float32");
  try {
    // The codec alone, on one chunk of the same data.
    const Zstd = (await import("numcodecs/zstd")).default;
    const codec = Zstd.fromConfig({ level: 3 });
    const sample = await x.get([{ kind: "slice", start: 0, stop: CHUNK, step: null }, { kind: "slice", start: 0, stop: CHUNK, step: null }]).compute();
    const raw = new Uint8Array(sample.data.buffer, sample.data.byteOffset, sample.data.byteLength);
    let t0 = performance.now();
    const enc = await codec.encode(raw);
    const encGBs = raw.byteLength / 1e9 / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    await codec.decode(enc);
    const decGBs = raw.byteLength / 1e9 / ((performance.now() - t0) / 1000);
    const ratio = raw.byteLength / enc.byteLength;

    t0 = performance.now();
    await toZarr(x, dir, { path: "a", codec: { name: "zstd", level: 3 }, chunks: [CHUNK, CHUNK] });
    const writeS = (performance.now() - t0) / 1000;
    const y = await fromZarr(dir, { path: "a" });
    t0 = performance.now();
    const m = await y.mean().compute();
    const readS = (performance.now() - t0) / 1000;
    const m2 = await x.mean().compute();
    if (Math.abs(m.data[0] - m2.data[0]) > 1e-6) throw new Error("read back differs");
    const rows = [
      { metric: `toZarr, ${round(bytes / 2 ** 30)} GiB float32, zstd level 3, 64 MiB chunks`, value: round(bytes / 1e9 / writeS), unit: "GB/s", baseline: { name: "zstd encode of one chunk, same data, same run", value: round(encGBs) }, ratio: round(encGBs / (bytes / 1e9 / writeS)), compressionRatio: round(ratio) },
      { metric: `fromZarr + mean of that array`, value: round(bytes / 1e9 / readS), unit: "GB/s", baseline: { name: "zstd decode of one chunk, same run", value: round(decGBs) }, ratio: round(decGBs / (bytes / 1e9 / readS)) },
    ];
    report("Zarr throughput", rows);
    return writeResult("zarr", { rows, peakRssMiB: peakRssMiB() });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await shutdown();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
