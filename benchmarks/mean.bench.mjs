// x.mean({ axis: 0 }) on an in-memory float32 array of 1 GiB (16384 x 16384), in square blocks of 1 MiB
// (512 x 512) and 64 MiB (4096 x 4096), in GB/s, beside a plain-JS loop over the same bytes (row-major,
// accumulating each column into a Float64Array), measured in the same run.
// Goals (issue 2): 64 MiB blocks within 1.5x of the loop's time, 1 MiB blocks within 2x. A second baseline,
// the loop summing four rows per pass (as our kernel does), is reported beside it.
import { asarray, shutdown } from "tessera";
import { median, peakRssMiB, report, round, timeIt, writeResult } from "./lib.mjs";

const N = Number(process.env.MEAN_BENCH_N ?? 16384);

function plainMean(data, n) {
  const acc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) acc[j] += data[o + j];
  }
  for (let j = 0; j < n; j++) acc[j] /= n;
  return acc;
}

/** The same loop summing four rows per pass (the trick our kernel uses), as a second, stronger baseline. */
function plainMean4(data, n) {
  const acc = new Float64Array(n);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = i * n;
    for (let j = 0; j < n; j++) acc[j] += (data[o + j] + data[o + n + j]) + (data[o + 2 * n + j] + data[o + 3 * n + j]);
  }
  for (; i < n; i++) for (let j = 0; j < n; j++) acc[j] += data[i * n + j];
  for (let j = 0; j < n; j++) acc[j] /= n;
  return acc;
}

export async function run() {
  const data = new Float32Array(N * N);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 4096) / 4096;
  const gb = data.byteLength / 1e9;
  const plain = await timeIt(() => plainMean(data, N), { reps: 5 });
  const plain4 = await timeIt(() => plainMean4(data, N), { reps: 5 });
  const expected = plainMean(data, N);
  const rows = [];
  const cases = ["sync", "threads"].flatMap((scheduler) => [["1 MiB blocks (512 x 512)", 512, 2, scheduler], ["64 MiB blocks (4096 x 4096)", 4096, 1.5, scheduler]]);
  for (const [label, block, goal, scheduler] of cases) {
    const x = asarray(data, { shape: [N, N], chunks: [block, block] });
    let result;
    const times = await timeIt(async () => (result = await x.mean({ axis: 0 }).compute({ scheduler })), { reps: 5 });
    let maxErr = 0;
    for (let j = 0; j < N; j++) maxErr = Math.max(maxErr, Math.abs(result.data[j] - Math.fround(expected[j])));
    if (maxErr > 1e-6) throw new Error(`mean differs from the plain loop by ${maxErr}`);
    const ratio = median(times) / median(plain);
    rows.push({
      metric: `mean(axis=0), ${label}, ${scheduler} scheduler`,
      value: round(gb / median(times)),
      unit: "GB/s",
      baseline: { name: "plain-JS loop, same bytes, same run", value: round(gb / median(plain)) },
      ratio: round(ratio),
      ratioMeaning: "our time / loop time (lower is better)",
      goal: `<= ${goal}`,
      meetsGoal: ratio <= goal,
      bestGBs: round(gb / times[0]),
      secondBaseline: { name: "plain-JS loop summing 4 rows per pass", value: round(gb / median(plain4)), ratio: round(median(times) / median(plain4)) },
    });
  }
  await shutdown();
  report(`mean over axis 0 of a ${round(data.byteLength / 2 ** 30)} GiB float32 array`, rows);
  return writeResult("mean-axis0", { rows, peakRssMiB: peakRssMiB(), timesSeconds: { plain, plain4 } });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
