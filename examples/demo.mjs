// The Tessera demo: lazy, chunked analysis of a year of hourly temperatures from 20 stations
// (examples/data/temperatures.f32, shape (station, day, hour)). Run: pnpm demo
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asarray, compute, delayed, fromDelayed, fromZarr, slice, stack, toZarr } from "tessera";

const meta = JSON.parse(readFileSync(new URL("./data/temperatures.json", import.meta.url), "utf8"));
const bytes = readFileSync(new URL("./data/temperatures.f32", import.meta.url));
const raw = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);

const t0 = performance.now();
// One block per station and month-ish (5 stations x 30 days x 24 hours).
const x = asarray(raw, { shape: meta.shape, chunks: [5, 30, -1] });
console.log(`input   ${x}`);
console.log(`        ${x.numblocks.join(" x ")} blocks of ${x.chunksize.join(" x ")}`);

// Everything below is lazy until compute().
const stationMean = x.mean({ axis: [1, 2] });
const stationStd = x.std({ axis: [1, 2], ddof: 1 });
const hottestDay = x.mean({ axis: 2 }).argmax({ axis: 1 });
const dailyCycle = x.mean({ axis: [0, 1] });
const anomalies = x.sub(x.mean({ axis: 1, keepdims: true })); // departure from each station's mean for that hour
const julyNights = x.get([null, slice(181, 212), slice(0, 6)]).min({ axis: [1, 2] });
const frostHours = x.less(0).astype("int32").sum({ axis: [1, 2] });
console.log(`lazy    ${anomalies.std()} (${anomalies.numTasksOptimized} tasks after fusion)`);

const [mean, std, hottest, cycle, anomStd, july, frost] = await compute(stationMean, stationStd, hottestDay, dailyCycle, anomalies.std(), julyNights, frostHours);

const f = (v, d = 1) => Number(v).toFixed(d).padStart(6);
console.log("\nstation   mean    std  hottest day  coldest July night  frost hours");
for (let s = 0; s < meta.shape[0]; s += 4) {
  console.log(`${String(s).padStart(7)} ${f(mean.data[s])} ${f(std.data[s])} ${String(hottest.data[s]).padStart(12)} ${f(july.data[s])} ${String(frost.data[s]).padStart(19)}`);
}
console.log(`\ndaily cycle (all stations, all days): min ${f(Math.min(...cycle.data))} at ${cycle.data.indexOf(Math.min(...cycle.data))}h, max ${f(Math.max(...cycle.data))} at ${cycle.data.indexOf(Math.max(...cycle.data))}h`);
console.log(`std of anomalies (each station's mean daily cycle removed): ${f(anomStd.data[0], 2)} degC`);

// The Dask workflow with delayed functions: rescale each station's record to [0, 1], then stack and reduce.
const rescale = delayed((block) => {
  const d = block.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return { data: d.map((v) => (v - lo) / (hi - lo)), shape: block.shape, dtype: "float32" };
});
const scaled = stack(Array.from({ length: meta.shape[0] }, (_, s) => fromDelayed(rescale(x.get([s])), { shape: meta.shape.slice(1), dtype: "float32" })));
const meanScaled = await scaled.mean().compute();
console.log(`mean of per-station rescaled records: ${f(meanScaled.data[0], 3)}`);

// Streaming blocks in order, without assembling the whole array.
let blocks = 0;
let maxBlock = -Infinity;
for await (const b of anomalies.blocks()) {
  blocks++;
  for (const v of b.data) maxBlock = Math.max(maxBlock, v);
}
console.log(`streamed ${blocks} blocks of anomalies, largest anomaly ${f(maxBlock, 2)} degC`);
// Anomalies to Zarr (v3, zstd) and back: each chunk written once, atomically.
const out = mkdtempSync(join(tmpdir(), "tessera-demo-"));
await toZarr(anomalies, out, { path: "anomalies", codec: "zstd", chunks: [5, 73, 24], attributes: { units: "degC" } });
const back = await fromZarr(out, { path: "anomalies" });
const [a1, a2] = await compute(back.std(), anomalies.std());
console.log(`wrote anomalies to Zarr (${back.numblocks.join(" x ")} chunks) and read them back: std ${f(a1.data[0], 4)} (in memory ${f(a2.data[0], 4)})`);
rmSync(out, { recursive: true, force: true });
console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
