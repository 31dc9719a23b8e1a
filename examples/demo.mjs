// The Tessera demo, on data shipped in the repo. Run: pnpm demo
// 1. An image stack (examples/data/cells: 80 fluorescence-like JPEGs in two groups): mean image (PNG), per-image
//    channel means and maxima, per-image intensity rescaling, and the stack written to Zarr.
// 2. A year of hourly temperatures from 20 stations (examples/data/temperatures.f32, shape (station, day, hour)).
// Results go to examples/output/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asarray, compute, delayed, fromDelayed, fromZarr, imread, imwrite, slice, stack, toZarr } from "tessera";

const outDir = new URL("./output/", import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
const started = performance.now();

{
  const cells = await imread(new URL("./data/cells/*.jpg", import.meta.url).pathname, { imagesPerChunk: 8 });
  console.log(`cells   ${cells}`);
  const meanImage = cells.mean({ axis: 0 });
  const perImage = cells.mean({ axis: [1, 2] }); // (n, 3) channel means
  const maxima = cells.max({ axis: [1, 2] }); // (n, 3)
  // Rescale each image to [0, 1] by its own range (uint8 stays uint8 until this point).
  const lo = cells.min({ axis: [1, 2, 3], keepdims: true });
  const hi = cells.max({ axis: [1, 2, 3], keepdims: true });
  const rescaled = cells.astype("float32").sub(lo).div(hi.sub(lo).astype("float32"));
  const [means, maxs, rescaledMean] = await compute(perImage, maxima, rescaled.mean({ axis: [1, 2, 3] }));
  await imwrite(meanImage.round().astype("uint8"), join(outDir, "mean-image.png"));
  await toZarr(cells, join(outDir, "cells.zarr"), { codec: "zstd", chunks: [8, 256, 256, 3], overwrite: true });
  const n = cells.shape[0];
  const groupMean = (from, to, ch) => {
    let s = 0;
    for (let i = from; i < to; i++) s += means.data[i * 3 + ch];
    return s / (to - from);
  };
  const f1 = (v) => Number(v).toFixed(1).padStart(6);
  console.log(`        group 1 (images 1-${n / 2}): mean R G B ${f1(groupMean(0, n / 2, 0))} ${f1(groupMean(0, n / 2, 1))} ${f1(groupMean(0, n / 2, 2))}`);
  console.log(`        group 2 (images ${n / 2 + 1}-${n}): mean R G B ${f1(groupMean(n / 2, n, 0))} ${f1(groupMean(n / 2, n, 1))} ${f1(groupMean(n / 2, n, 2))}`);
  console.log(`        brightest pixel, image 1: R G B ${maxs.data[0]} ${maxs.data[1]} ${maxs.data[2]}; image ${n}: ${maxs.data[(n - 1) * 3]} ${maxs.data[(n - 1) * 3 + 1]} ${maxs.data[(n - 1) * 3 + 2]}`);
  console.log(`        mean after per-image rescaling: image 1 ${rescaledMean.data[0].toFixed(3)}, image ${n} ${rescaledMean.data[n - 1].toFixed(3)}`);
  console.log(`        wrote ${join("examples/output", "mean-image.png")} and ${join("examples/output", "cells.zarr")} (${cells.numblocks[0]} chunks of 8 images)\n`);
}

const meta = JSON.parse(readFileSync(new URL("./data/temperatures.json", import.meta.url), "utf8"));
const bytes = readFileSync(new URL("./data/temperatures.f32", import.meta.url));
const raw = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);

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
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(2)} s`);
