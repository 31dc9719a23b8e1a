// Overhead per task of the thread scheduler on 100,000 trivial tasks (ones(100000, chunks 1) + 1, summed:
// 100,000 fused block tasks and the combine tree), graph lowered and fused beforehand, with the grouping of
// small reduction blocks turned off (it would fold 16 blocks per task: fewer, bigger tasks). Two policies: the
// default (tasks with outputs under 64 KiB run inline on the main thread) and every task sent to a worker.
// Baseline: a plain-JS loop calling a kernel through a Map lookup as many times, in the same run.
// Goal (issue 3): under 20 µs per task, amortized.
import { ones, optimize, cpuBackend, threadScheduler, WorkerPool, syncScheduler } from "tessera";
import { layerKeys, lower } from "@tessera/graph";
import { median, report, round, timeIt, writeResult } from "./lib.mjs";

export async function run() {
  const y = ones([100_000], { chunks: 1 }).add(1).sum();
  const graph = optimize(lower([y.layer], layerKeys(y.layer)), { groupBytes: 0 });
  const n = graph.tasks.size;
  const pool = new WorkerPool(cpuBackend.workerEntry, 2);
  const rows = [];
  const noop = (inputs) => inputs[0] ?? 0;
  const kernels = new Map([["noop", noop]]);
  const loop = await timeIt(() => {
    let v = 0;
    for (let i = 0; i < n; i++) v = kernels.get("noop")([v], {}, null);
    return v;
  }, { reps: 5 });
  const perLoop = (median(loop) / n) * 1e6;
  for (const [label, opts, reps] of [
    ["threads, tiny tasks inline (default)", { inlineBytes: 64 * 1024 }, 5],
    ["threads, every task sent to a worker", { inlineBytes: 0 }, 3],
    ["sync scheduler (reference)", null, 5],
  ]) {
    const s = opts ? threadScheduler({ backend: cpuBackend, pool, workers: 2, ...opts }) : syncScheduler(cpuBackend);
    let result;
    const times = await timeIt(async () => (result = await s.run(graph)), { reps, warmup: 1 });
    const value = Number([...result.values()][0].data[0]);
    if (value !== 200_000) throw new Error(`wrong sum ${value}`);
    const per = (median(times) / n) * 1e6;
    rows.push({ metric: `per-task overhead, ${label}, ${n} tasks`, value: round(per), unit: "µs", baseline: { name: "plain-JS loop calling a kernel via a Map lookup", value: round(perLoop, 2) }, ratio: round(per / perLoop), goal: label.includes("(default)") ? "< 20 µs" : undefined });
  }
  await pool.close();
  report("thread scheduler overhead", rows);
  return writeResult("threads-overhead", { rows, timesSeconds: { loop } });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
