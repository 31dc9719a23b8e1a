// Speedup on this machine's cores of a compute-bound elementwise chain (transcendentals over 16.8M float64)
// on the thread scheduler over the synchronous scheduler, both in the same run. Goal (issue 3): 1.8x on 2 cores.
import { availableParallelism } from "node:os";
import { random, shutdown } from "tessera";
import { median, report, round, timeIt, writeResult } from "./lib.mjs";

export async function run() {
  const x = random.uniform([4096, 4096], { seed: 1, chunks: [512, 4096] });
  const y = x.sin().exp().sqrt().cos().tanh().arctan().log1p().sum();
  let a;
  let b;
  const sync = await timeIt(async () => (a = await y.compute({ scheduler: "sync" })), { reps: 5 });
  const threads = await timeIt(async () => (b = await y.compute({ scheduler: "threads" })), { reps: 5 });
  if (Math.abs(a.data[0] - b.data[0]) > 1e-6 * Math.abs(a.data[0])) throw new Error("threads and sync disagree");
  const speedup = median(sync) / median(threads);
  const rows = [{ metric: `elementwise chain, threads (${availableParallelism()} workers)`, value: round(median(threads)), unit: "s", baseline: { name: "sync scheduler, same graph, same run", value: round(median(sync)) }, ratio: round(speedup), ratioMeaning: "speedup (sync time / threads time)", goal: ">= 1.8 on 2 cores" }];
  report("speedup of the thread scheduler", rows);
  await shutdown();
  return writeResult("threads-speedup", { rows, timesSeconds: { sync, threads } });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
