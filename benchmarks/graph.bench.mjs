// Graph building: build and optimize ((x + 1) * 2).sum() over 100,000 chunks (lower all tasks, fuse, order),
// beside a plain-JS loop that only allocates the same number of task objects (the floor of any graph).
import { zeros, optimize } from "tessera";
import { layerKeys, lower, order } from "@tessera/graph";
import { median, report, round, timeIt, writeResult } from "./lib.mjs";

const CHUNKS = 100_000;

export async function run() {
  let tasks = 0;
  let fused = 0;
  const build = await timeIt(() => {
    const x = zeros([CHUNKS * 10], { chunks: 10, dtype: "float32" });
    const y = x.add(1).mul(2).sum();
    const g = lower([y.layer], layerKeys(y.layer));
    tasks = g.tasks.size;
    const f = optimize(g);
    fused = f.tasks.size;
    order(f);
  }, { reps: 3 });
  const floor = await timeIt(() => {
    const objs = new Map();
    for (let i = 0; i < tasks; i++) objs.set(`t-${i}`, { key: `t-${i}`, op: "ew", args: [`s-${i}`], attrs: { fn: "add" }, placement: "cpu", nbytes: 40 });
    return objs.size;
  }, { reps: 3 });
  const rows = [
    {
      metric: "build + lower + fuse + order, 100k chunks",
      value: round(median(build)),
      unit: "s",
      baseline: { name: `plain-JS loop allocating ${tasks} task objects in a Map`, value: round(median(floor)) },
      ratio: round(median(build) / median(floor)),
      tasks: { lowered: tasks, afterFusion: fused },
    },
  ];
  report("graph building", rows);
  return writeResult("graph-building", { rows, timesSeconds: { build, floor } });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
