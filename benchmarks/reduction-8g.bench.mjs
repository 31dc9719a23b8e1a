// Out-of-core reductions on the thread scheduler (issue 3), each case in this one process, peak RSS read
// from the OS. The array is an 8 GiB float32 array generated lazily, x[i, j] = r[i] + c[j] (two small
// float32 vectors broadcast against each other), so its mean and variance have closed forms to check.
//   1. mean and std over all axes with 1 MiB and with 64 MiB blocks, in GB/s, beside a plain-JS loop
//      (sum and sum of squares in one pass) over an in-memory float32 array, run last in the same process.
//      Goal: within 2x of the loop with 1 MiB blocks, peak RSS under 1 GiB.
//   2. mean-centring, x - x.mean(axis 0), reduced to its std, under a 2 GiB memory limit: completes, peak RSS.
// Run alone: node --max-old-space-size=4096 benchmarks/reduction-8g.bench.mjs   (about a minute or two).
import { asarray, compute, shutdown } from "tessera";
import { peakRssMiB, report, round, writeResult } from "./lib.mjs";

const GiB = 2 ** 30;
const ROWS = Number(process.env.RED_ROWS ?? 65536);
const COLS = Number(process.env.RED_COLS ?? 32768);

function vectors() {
  const r = new Float32Array(ROWS).map((_, i) => (i % 1000) / 1000);
  const c = new Float32Array(COLS).map((_, j) => ((j * 7) % 100) / 100);
  return { r, c };
}

/** Closed forms: mean and variance of r[i] + c[j] over the grid (independent terms add). */
function closedForm(r, c) {
  const m = (a) => a.reduce((s, v) => s + v, 0) / a.length;
  const v = (a, mu) => a.reduce((s, x) => s + (x - mu) ** 2, 0) / a.length;
  const mr = m(r);
  const mc = m(c);
  return { mean: mr + mc, std: Math.sqrt(v(r, mr) + v(c, mc)) };
}

function lazyX(r, c, block) {
  const rows = asarray(r, { shape: [ROWS, 1], chunks: [block, 1] });
  const cols = asarray(c, { chunks: block });
  return rows.add(cols); // float32 (ROWS, COLS), blocks (block, block)
}

function plainLoop(data) {
  let s = 0;
  let q = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    s += v;
    q += v * v;
  }
  return [s, q];
}

export async function run() {
  const { r, c } = vectors();
  const expected = closedForm(r, c);
  const bytes = ROWS * COLS * 4;
  const rows = [];
  const extra = {};
  for (const [label, block] of [["1 MiB blocks (512 x 512)", 512], ["64 MiB blocks (4096 x 4096)", 4096]]) {
    const x = lazyX(r, c, block);
    const t0 = performance.now();
    const [mean, std] = await compute(x.mean(), x.std());
    const s = (performance.now() - t0) / 1000;
    if (Math.abs(mean.data[0] - expected.mean) > 1e-4 || Math.abs(std.data[0] - expected.std) > 1e-4) throw new Error(`wrong result ${mean.data[0]} ${std.data[0]} vs ${JSON.stringify(expected)}`);
    rows.push({ metric: `mean + std of ${round(bytes / GiB)} GiB float32 (lazily generated), ${label}`, value: round(bytes / 1e9 / s), unit: "GB/s", seconds: round(s), peakRssMiBSoFar: peakRssMiB() });
  }
  // Mean-centring under a 2 GiB limit.
  {
    const x = lazyX(r, c, 4096);
    const centred = x.sub(x.mean({ axis: 0 })).std();
    let evictions = 0;
    let peakHeld = 0;
    const t0 = performance.now();
    const out = await centred.compute({
      memoryLimit: 2 * GiB,
      onEvent: (e) => {
        if (e.type === "evict") evictions++;
        if (e.type === "task-end") peakHeld = Math.max(peakHeld, e.held ?? 0);
      },
    });
    const s = (performance.now() - t0) / 1000;
    // Centring each column removes c[j]: the std left is that of r.
    const rOnly = closedForm(r, new Float32Array([0])).std;
    if (Math.abs(out.data[0] - rOnly) > 1e-4) throw new Error(`wrong centred std ${out.data[0]} vs ${rOnly}`);
    extra.meanCentring = { seconds: round(s), memoryLimitGiB: 2, peakHeldMiB: Math.round(peakHeld / 2 ** 20), evictions, peakRssMiB: peakRssMiB() };
  }
  await shutdown();
  const rssBeforeBaseline = peakRssMiB();
  // The baseline last, so that its in-memory array does not count in the peaks above.
  const data = new Float32Array(64 * 2 ** 20); // 256 MiB
  for (let i = 0; i < data.length; i++) data[i] = (i % 1000) / 1000;
  plainLoop(data);
  const t0 = performance.now();
  for (let k = 0; k < 4; k++) plainLoop(data);
  const loopGBs = (4 * data.byteLength) / 1e9 / ((performance.now() - t0) / 1000);
  for (const row of rows) {
    row.baseline = { name: "plain-JS loop, sum and sum of squares, in-memory float32, same process", value: round(loopGBs) };
    row.ratio = round(loopGBs / row.value);
    row.ratioMeaning = "loop GB/s / our GB/s (time ratio; lower is better)";
    if (row.metric.includes("1 MiB")) row.goal = "<= 2, peak RSS < 1024 MiB";
  }
  report("out-of-core reductions (threads)", rows);
  console.log(`  peak RSS before the baseline: ${rssBeforeBaseline} MiB; mean-centring: ${JSON.stringify(extra.meanCentring)}`);
  return writeResult("reduction-8g", { rows, peakRssMiBBeforeBaseline: rssBeforeBaseline, ...extra });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
