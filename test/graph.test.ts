import { describe, expect, it } from "vitest";
import { arange, asarray, compute, ones, optimize, random, syncScheduler, cpuBackend, type SchedulerEvent } from "tessera";
import { makeData, mismatch, tabulate } from "./helpers/reference.js";
import { dependents, fuse, keyOf, layerKeys, lower, makeLayer, order, type Graph, type Task } from "@tessera/graph";

describe("keys", () => {
  it("are content hashes: the same expression built twice has the same keys", () => {
    const a = arange(0, 100, 1, { chunks: 10 }).mul(2).sum();
    const b = arange(0, 100, 1, { chunks: 10 }).mul(2).sum();
    expect(a.name).toBe(b.name);
    expect(arange(0, 100, 1, { chunks: 10 }).mul(3).sum().name).not.toBe(a.name);
    expect(asarray(new Float64Array([1, 2])).name).toBe(asarray(new Float64Array([1, 2])).name);
    expect(asarray(new Float64Array([1, 3])).name).not.toBe(asarray(new Float64Array([1, 2])).name);
    expect(random.normal([4], { seed: 1 }).name).not.toBe(random.normal([4], { seed: 2 }).name);
  });
});

describe("lowering culls to the requested outputs", () => {
  it("a slice of one block makes only that block's tasks", () => {
    const x = ones([100, 100], { chunks: 10 }).add(1).mul(2);
    expect(x.numTasks).toBe(300);
    const g = lower([x.get([5, 5]).layer], layerKeys(x.get([5, 5]).layer));
    expect(g.tasks.size).toBe(4);
  });
});

describe("fusion", () => {
  it("folds linear blockwise chains into one task per block", () => {
    const x = ones([100, 100], { chunks: 10 });
    const y = x.add(1).mul(2).sqrt();
    expect(y.numTasks).toBe(400);
    expect(y.numTasksOptimized).toBe(100);
    const s = y.sum();
    // 100 fused chunk tasks + 7 combines (16 per combine over 100 partials -> 7 -> 1) + the aggregate fused into the last combine.
    expect(s.numTasksOptimized).toBeLessThan(s.numTasks);
    const g = optimize(lower([s.layer], layerKeys(s.layer)), { groupBytes: 0 });
    const fused = [...g.tasks.values()].filter((t) => t.op === "fused");
    expect(fused.length).toBeGreaterThanOrEqual(100);
    const chains = fused.map((t) => (t.attrs["steps"] as { op: string }[]).map((st) => st.op).join(","));
    expect(chains.filter((c) => c === "fill,ew,ew,ew,reduce-chunk").length).toBe(100);
  });

  it("groups the small blocks of a reduction: one task folds a combine's worth of blocks into one partial", async () => {
    const { data, ref } = makeData("float32", [64, 48], 7);
    const x = asarray(data, { shape: [64, 48], chunks: [4, 16] }); // 16 x 3 blocks of 256 B
    const m = x.mul(2).mean({ axis: 0 });
    const g = optimize(lower([m.layer], layerKeys(m.layer)));
    const chains = [...g.tasks.values()].filter((t) => t.op === "fused").map((t) => t.attrs["steps"] as { op: string; inputs: number[] }[]);
    // Per column of blocks: 16 (block view, elementwise) steps feeding one reduce-chunk of 16 blocks, then the aggregate.
    expect(chains.length).toBe(3);
    for (const steps of chains) {
      expect(steps.map((st) => st.op)).toEqual([...Array(16).fill(["const", "ew"]).flat(), "reduce-chunk", "reduce-aggregate"]);
      expect(steps[32]!.inputs.length).toBe(16);
    }
    // Without grouping, 48 chunk tasks and 3 combines; both give the mean to float64 rounding.
    expect(optimize(lower([m.layer], layerKeys(m.layer)), { groupBytes: 0 }).tasks.size).toBe(51);
    const expected = { values: tabulate([48], ([j]) => Math.fround(Array.from({ length: 64 }, (_, i) => 2 * ref.values[i * 48 + j!]!).reduce((a, b) => a + b, 0) / 64)), shape: [48], dtype: "float32" as const };
    expect(mismatch(await m.compute(), expected)).toBeUndefined();
    expect(mismatch(await m.compute({ memoryLimit: 16384 }), expected)).toBeUndefined();
    // Sibling reductions of the same groups merge: one reduce-multi per group.
    const both = optimize(lower([x.mean({ axis: 0 }).layer, x.std({ axis: 0 }).layer], [...layerKeys(x.mean({ axis: 0 }).layer), ...layerKeys(x.std({ axis: 0 }).layer)]));
    const multi = [...both.tasks.values()].flatMap((t) => (t.op === "fused" ? (t.attrs["steps"] as { op: string; inputs: number[] }[]) : [])).filter((st) => st.op === "reduce-multi");
    expect(multi.map((st) => st.inputs.length)).toEqual([16, 16, 16]);
  });

  it("blocks already in memory count their bytes: persisted 2 MiB blocks are not grouped 16 to a task", async () => {
    const x = await random.uniform([8192, 512], { seed: 4, chunks: [512, 512] }).persist();
    const m = x.mean({ axis: 0 });
    const g = optimize(lower([m.layer], layerKeys(m.layer)));
    const chunkTasks = [...g.tasks.values()].filter((t) => t.op === "reduce-chunk" || (t.op === "fused" && (t.attrs["steps"] as { op: string }[]).some((st) => st.op === "reduce-chunk")));
    expect(chunkTasks.length).toBe(16);
  });

  it("never fuses a shared intermediate or an output", () => {
    const t = (key: string, args: string[], op = "ew"): Task => ({ key, op, args, attrs: {}, placement: "cpu", nbytes: 8 });
    const tasks = new Map([t("a", [], "fill"), t("b", ["a"]), t("c", ["b"]), t("d", ["b"]), t("e", ["c", "d"])].map((x) => [x.key, x]));
    const g: Graph = { tasks, constants: new Map(), outputs: ["e", "c"] };
    const f = fuse(g, { absorbs: (x) => x.op === "ew" });
    expect([...f.tasks.keys()].sort()).toEqual(["b", "c", "e"]);
    expect(dependents(f.tasks).get("b")).toEqual(["c", "e"]);
  });

  it("fused results equal unfused results", async () => {
    const x = random.uniform([50, 40], { seed: 3, chunks: [7, 9] });
    const y = x.mul(3).add(x.get([null, 0, "newaxis"])).sqrt().mean({ axis: 0 });
    const [a] = await compute(y, { optimize: false });
    const [b] = await compute(y);
    // Fusion may change the order of a reduction's additions (last-bit differences), never more.
    const fa = Array.from((a as { data: Float64Array }).data);
    Array.from((b as { data: Float64Array }).data).forEach((v, i) => expect(Math.abs(v - fa[i]!)).toBeLessThanOrEqual(1e-14 * Math.abs(fa[i]!)));
  });
});

describe("order", () => {
  it("finishes one branch of a reduction tree before starting the next (depth first)", () => {
    const leaves = Array.from({ length: 8 }, (_, i) => `leaf${i}`);
    const t = (key: string, args: string[]): Task => ({ key, op: "x", args, attrs: {}, placement: "cpu", nbytes: 8 });
    const tasks = new Map<string, Task>();
    for (const l of leaves) tasks.set(l, t(l, []));
    tasks.set("c0", t("c0", leaves.slice(0, 4)));
    tasks.set("c1", t("c1", leaves.slice(4)));
    tasks.set("root", t("root", ["c0", "c1"]));
    const o = order({ tasks, constants: new Map(), outputs: ["root"] });
    expect(o.indexOf("c0")).toBeLessThan(o.indexOf("leaf4"));
    expect(o[o.length - 1]).toBe("root");
    // Every task comes after its inputs.
    for (const [k, task] of tasks) for (const a of task.args) expect(o.indexOf(a)).toBeLessThan(o.indexOf(k));
  });

  it("the sync scheduler releases each intermediate after its last consumer (peak held stays small)", async () => {
    const x = ones([64, 64], { chunks: 8 }).add(1).sum();
    let held = 0;
    let peak = 0;
    const sizes = new Map<string, number>();
    const onEvent = (e: SchedulerEvent): void => {
      if (e.type === "task-end") {
        sizes.set(e.key, e.nbytes);
        held += e.nbytes;
        peak = Math.max(peak, held);
      }
    };
    const g = optimize(lower([x.layer], layerKeys(x.layer)), { groupBytes: 0 });
    const deps = dependents(g.tasks);
    const remaining = new Map([...deps].map(([k, v]) => [k, v.length]));
    const scheduler = syncScheduler(cpuBackend);
    await scheduler.run(g, {
      onEvent: (e) => {
        onEvent(e);
        if (e.type === "task-end") {
          for (const a of g.tasks.get(e.key)!.args) {
            const r = remaining.get(a)! - 1;
            remaining.set(a, r);
            if (r === 0) held -= sizes.get(a) ?? 0;
          }
        }
      },
    });
    const total = [...g.tasks.values()].reduce((a, t) => a + t.nbytes, 0);
    expect(peak).toBeLessThan(total / 3);
  });
});

describe("the same graph, made by hand", () => {
  it("runs from layers and tasks alone", async () => {
    const src = makeLayer({ name: "src-1", numblocks: [2], deps: [], task: (i) => ({ op: "fill", args: [], attrs: { shape: [2], dtype: "float64", value: (i[0] ?? 0) + 1 }, placement: "cpu", nbytes: 16 }) });
    const g = lower([src], [keyOf("src-1", [1])]);
    expect([...g.tasks.keys()]).toEqual(["src-1:1"]);
    const r = await syncScheduler(cpuBackend).run(g);
    expect(Array.from((r.get("src-1:1") as { data: Float64Array }).data)).toEqual([2, 2]);
  });
});
