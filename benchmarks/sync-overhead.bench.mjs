// Execution overhead per task of the synchronous scheduler on trivial tasks: a chain of 100,000 no-op tasks,
// beside a plain-JS loop that calls the same no-op kernel through a Map lookup as many times.
import { syncScheduler } from "tessera";
import { median, report, round, timeIt, writeResult } from "./lib.mjs";

const N = 100_000;
const noop = (inputs) => inputs[0] ?? 0;
const backend = { name: "noop", kernel: (op) => (op === "noop" ? noop : undefined) };

function chain(n) {
  const tasks = new Map();
  for (let i = 0; i < n; i++) {
    const key = `t:${i}`;
    tasks.set(key, { key, op: "noop", args: i ? [`t:${i - 1}`] : [], attrs: {}, placement: "cpu", nbytes: 8 });
  }
  return { tasks, constants: new Map(), outputs: [`t:${n - 1}`] };
}

export async function run() {
  const graph = chain(N);
  const scheduler = syncScheduler(backend);
  const sched = await timeIt(() => scheduler.run(graph), { reps: 5 });
  const kernels = new Map([["noop", noop]]);
  const loop = await timeIt(() => {
    let v = 0;
    for (let i = 0; i < N; i++) v = kernels.get("noop")([v], {}, null);
    return v;
  }, { reps: 5 });
  const per = (median(sched) / N) * 1e6;
  const perLoop = (median(loop) / N) * 1e6;
  const rows = [{ metric: "sync scheduler overhead per trivial task (100k chain, ordering included)", value: round(per), unit: "µs", baseline: { name: "plain-JS loop calling the kernel via a Map lookup", value: round(perLoop, 2) }, ratio: round(per / perLoop) }];
  report("sync scheduler overhead", rows);
  return writeResult("sync-overhead", { rows, timesSeconds: { sched, loop } });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
