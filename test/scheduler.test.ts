import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { asarray, compute, isTesseraError, ones, profile, random, slice, type SchedulerEvent } from "tessera";
import { makeData, mismatch, ravel, tabulate } from "./helpers/reference.js";

const threads = { scheduler: "threads", workers: 2, inlineBytes: 0 } as const;

describe("thread scheduler: memory", () => {
  it("mean-centring an array larger than the limit completes under it, dropping and re-reading source blocks", async () => {
    // 16 blocks of 128 KiB (2 MiB) under a 768 KiB limit: the mean needs every block before any can be centred.
    const x = random.normal([256, 1024], { seed: 5, chunks: [16, 1024] });
    const centred = x.sub(x.mean({ axis: 0 })).std();
    const limit = 768 * 1024;
    let maxHeld = 0;
    let evictions = 0;
    const onEvent = (e: SchedulerEvent): void => {
      if (e.type === "task-end") maxHeld = Math.max(maxHeld, e.held ?? 0);
      if (e.type === "evict") evictions++;
    };
    const got = await centred.compute({ ...threads, memoryLimit: limit, onEvent });
    // The same limit: the optimizer groups small blocks of a reduction only under a 16th of it, and grouping
    // changes the order of float64 additions.
    const want = await centred.compute({ scheduler: "sync", memoryLimit: limit });
    expect(Array.from(got.data as Float64Array)).toEqual(Array.from(want.data as Float64Array));
    expect(maxHeld).toBeLessThanOrEqual(limit);
    expect(evictions).toBeGreaterThan(0);
  });

  it("a plan whose single task cannot fit is refused before anything runs, naming the op, bytes and a rechunk", async () => {
    const x = ones([1024, 1024], { chunks: -1 }).add(1);
    let started = 0;
    const p = x.sum().compute({ ...threads, memoryLimit: 2 ** 20, onEvent: (e) => void (e.type === "task-start" && started++) });
    await expect(p).rejects.toSatisfy((e: unknown) => isTesseraError(e, "MemoryLimit") && /op fused of fill > ew/.test((e as Error).message) && /16\.0 MiB/.test((e as Error).message) && /rechunk/.test((e as Error).message));
    expect(started).toBe(0);
  });

  it("a reduction of many blocks holds few partials at a time (last-in-first-out, order() ties)", async () => {
    const x = random.uniform([512, 512], { seed: 2, chunks: [32, 32] });
    const p = profile();
    // Under a 1 MiB limit, 16 blocks (128 KiB) exceed what one grouped task may hold: one task per block.
    const r = await x.mean().compute({ ...threads, memoryLimit: 2 ** 20, onEvent: p.listener });
    const s = p.summary();
    expect(s.tasks).toBeGreaterThan(256);
    // 256 blocks of 8 KiB: a breadth-first run would hold them all (2 MiB) at once.
    expect(s.peakHeldBytes).toBeLessThan(256 * 8192 / 4);
    expect(Number(r.data[0])).toBeCloseTo(0.5, 2);
    expect(p.report()).toMatch(/tasks in .* wall/);
  });
});

describe("thread scheduler: under memory pressure", () => {
  const timed = async (run: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await run();
    return (performance.now() - t0) / 1000;
  };

  it("a rows -> columns rechunk of 512 MiB (16,641 tasks) under 256 MiB and a centring under a quarter of its array finish within a bound of the unpressured runs, under the limit", async () => {
    const opts = { scheduler: "threads", workers: 2 } as const;
    const x = random.uniform([16384, 8192], { seed: 1, chunks: [128, 8192], dtype: "float32" });
    const r = x.rechunk([16384, 64]).max({ axis: 0 });
    const z = random.normal([2048, 4096], { seed: 2, chunks: [32, 4096], dtype: "float32" });
    const c = z.sub(z.mean({ axis: 0 })).std();
    for (const [y, limit] of [[r, 256 * 2 ** 20], [c, 8 * 2 ** 20]] as const) {
      let want: unknown;
      const free = await timed(async () => void (want = await y.compute(opts)));
      let held = 0;
      let got: unknown;
      const pressed = await timed(async () => void (got = await y.compute({ ...opts, memoryLimit: limit, onEvent: (e) => void (e.type === "task-end" && (held = Math.max(held, e.held ?? 0))) })));
      expect(held).toBeLessThanOrEqual(limit);
      expect(pressed).toBeLessThan(3 * free + 1);
      // The same values (a limit changes how small reduction blocks are grouped: the last bits of sums may differ).
      const [g, w] = [(got as { data: Float64Array }).data, (want as { data: Float64Array }).data];
      expect(g.length).toBe(w.length);
      g.forEach((v, i) => expect(Math.abs(v - w[i]!)).toBeLessThanOrEqual(1e-12 * Math.abs(w[i]!)));
    }
  });
});

describe("thread scheduler: workers", () => {
  const shape = [8, 6];
  const { data, ref } = makeData("float64", shape, 3);
  const fn = (name: string) => ({ module: new URL("./fixtures/block-functions.mjs", import.meta.url), export: name });

  it("module functions run in the workers, with deterministic keys", async () => {
    const x = asarray(data, { shape, chunks: [3, 4] });
    const y = x.mapBlocks(fn("scale"));
    expect(x.mapBlocks(fn("scale")).name).toBe(y.name);
    const expected = { values: tabulate(shape, ([i, j]) => 2 * ref.values[ravel([i!, j!], shape)]! + Math.floor(i! / 3) * 3), shape, dtype: "float64" as const };
    expect(mismatch(await y.compute(threads), expected)).toBeUndefined();
    // Fused with what follows (an async step inside a fused task): elementwise, then a reduction.
    const total = expected.values.reduce((a, v) => a + (v + 1), 0);
    for (const opts of [threads, { scheduler: "sync" } as const]) {
      const r = await y.add(1).sum().compute(opts);
      expect(Number(r.data[0])).toBeCloseTo(total, 9);
    }
    const t = await x.mapBlocks(fn("whichThread")).compute(threads);
    expect(new Set(t.data as Float64Array).has(0)).toBe(false);
  });

  it("an aborted compute stops a worker stuck in its task: no core stays busy, the pool is whole again", async () => {
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const y = asarray(data, { shape, chunks: shape }).mapBlocks(fn("spinForever"));
    const t0 = performance.now();
    await expect(y.compute({ ...threads, signal: AbortSignal.timeout(300) })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "AbortError"));
    expect(performance.now() - t0).toBeLessThan(2000);
    // After the grace period (500 ms) its worker is stopped: the process is idle again.
    await sleep(700);
    const c0 = process.cpuUsage();
    await sleep(1000);
    const used = process.cpuUsage(c0);
    expect((used.user + used.system) / 1e6).toBeLessThan(0.3);
    // The next compute runs on both workers (numbered 0 and 1 in task-end events).
    const workers = new Set<number>();
    const z = asarray(data, { shape, chunks: [1, 6] }).mapBlocks(fn("slowly"));
    const got = await z.compute({ ...threads, onEvent: (e) => void (e.type === "task-end" && e.worker !== undefined && workers.add(e.worker)) });
    expect(mismatch(got, ref)).toBeUndefined();
    expect([...workers].sort()).toEqual([0, 1]);
  });

  it("an error in a worker reaches the caller with the op and block", async () => {
    const y = asarray(data, { shape, chunks: [3, 4] }).mapBlocks(fn("fails"));
    await expect(y.compute(threads)).rejects.toSatisfy((e: unknown) => isTesseraError(e, "TaskError") && /op call-module/.test((e as Error).message) && /failed on purpose/.test((e as Error).message));
    // The pool is still usable afterwards.
    const ok = await asarray(data, { shape, chunks: [3, 4] }).sum().compute(threads);
    expect(Number(ok.data[0])).toBeCloseTo(ref.values.reduce((a, b) => a + b, 0), 10);
  });

  it("every task ends with one event, and the counts match the optimized graph", async () => {
    const x = random.uniform([64, 64], { seed: 1, chunks: 16 }).add(1);
    const counts = { start: 0, end: 0 };
    await compute(x.sum({ axis: 0 }), x.max(), {
      ...threads,
      onEvent: (e) => {
        if (e.type === "task-start") counts.start++;
        if (e.type === "task-end") counts.end++;
      },
    });
    expect(counts.start).toBe(counts.end);
    expect(counts.end).toBeGreaterThan(16);
  });

  it("views of big blocks (slices, transposes) run where their input is, not in a worker", async () => {
    const x = random.uniform([512, 512], { seed: 3, chunks: 256 }).persist();
    const ran: string[] = [];
    const r = await (await x).get([slice(10, 500), slice(null, null, -1)]).T.compute({ scheduler: "threads", workers: 2, inlineBytes: 64 * 1024, onEvent: (e) => void (e.type === "task-end" && ran.push(`${e.op} ${e.backend}`)) });
    expect(r.shape).toEqual([512, 490]);
    // Each block's slice and transpose (fused into one view task) runs inline; only the assembly of the result
    // (a copy of 1 MiB) goes to a worker.
    expect(ran.filter((w) => w.startsWith("fused")).sort()).toEqual(Array(4).fill("fused cpu:inline"));
    expect(ran.filter((w) => !w.startsWith("fused"))).toEqual(["assemble cpu:worker"]);
  });

  it("Node exits on its own after threaded computes, also after a failure", async () => {
    const script = `
      import { random, ones } from "tessera";
      const r = await random.normal([512, 512], { chunks: 128 }).sum().compute({ scheduler: "threads", inlineBytes: 0 });
      try { await ones([64, 64], { chunks: 16 }).mapBlocks(() => { throw new Error("x"); }).compute({ scheduler: "threads" }); } catch {}
      console.log("done", Number.isFinite(r.data[0]));`;
    const t0 = performance.now();
    const { stdout } = await promisify(execFile)(process.execPath, ["--max-old-space-size=2048", "--input-type=module", "-e", script], { cwd: new URL("..", import.meta.url).pathname, timeout: 20_000 });
    expect(stdout.trim()).toBe("done true");
    expect(performance.now() - t0).toBeLessThan(15_000);
  });
});

describe("thread scheduler: recomputing computed blocks", () => {
  it("mean-centring a computed (not read) array under a small limit drops blocks, pins their inputs, and recomputes", async () => {
    // x is a broadcast sum of two aranges: its blocks have inputs shared by many blocks, never a plain source.
    const rows = random.uniform([256, 1], { seed: 9, chunks: [16, 1] });
    const cols = random.uniform([1024], { seed: 10, chunks: 1024 });
    const x = rows.add(cols);
    const y = x.sub(x.mean({ axis: 0 })).std({ axis: 1 });
    const limit = 1024 * 1024;
    let maxHeld = 0;
    let evictions = 0;
    const got = await y.compute({
      ...threads,
      memoryLimit: limit,
      onEvent: (e) => {
        if (e.type === "task-end") maxHeld = Math.max(maxHeld, e.held ?? 0);
        if (e.type === "evict") evictions++;
      },
    });
    const want = await y.compute({ scheduler: "sync", memoryLimit: limit });
    expect(Array.from(got.data as Float64Array)).toEqual(Array.from(want.data as Float64Array));
    expect(evictions).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThanOrEqual(limit);
  });
});

describe("thread scheduler: cascading recomputes", () => {
  it("two levels of centring under a tight limit: blocks of both levels dropped and recomputed, same result", async () => {
    const a = random.normal([256, 512], { seed: 21, chunks: [16, 512] });
    const b = a.add(a.mean({ axis: 0 }));
    const c = b.sub(b.mean({ axis: 0 })).std({ axis: 1 });
    for (const limit of [384 * 1024, 640 * 1024]) {
      let evictions = 0;
      const got = await c.compute({ ...threads, memoryLimit: limit, onEvent: (e) => void (e.type === "evict" && evictions++) });
      const want = await c.compute({ scheduler: "sync", memoryLimit: limit });
      expect(Array.from(got.data as Float64Array)).toEqual(Array.from(want.data as Float64Array));
      expect(evictions).toBeGreaterThan(0);
    }
  });
});

describe("thread scheduler: the user's data", () => {
  it("is never moved to a worker (a transferred buffer would be detached)", async () => {
    // c is one 16 KiB block with two consumers: it stays a task of its own and runs inline (under
    // inlineBytes); its consumers need 32 KiB, so they run in the one worker, one after the other. When
    // the second starts, only it still needs c: the case where a held value would be moved, not copied.
    const c = new Float32Array(4096).map((_, j) => j / 10);
    const x = asarray(c, { chunks: -1 });
    const [a, b] = await compute(x.add(1).mul(2).sum(), x.mul(3).sub(1).max(), { scheduler: "threads", workers: 1, inlineBytes: 20_000 });
    expect(c.length).toBe(4096);
    expect(c[4095]).toBeCloseTo(409.5, 4);
    const sum = c.reduce((acc, v) => acc + 2 * (v + 1), 0);
    expect(Math.abs(Number((a as { data: Float64Array }).data[0]) - sum) / sum).toBeLessThan(1e-6);
    expect(Number((b as { data: Float32Array }).data[0])).toBeCloseTo(3 * 409.5 - 1, 3);
  });
});

describe("progress and profile", () => {
  it("the progress bar draws on the stream it is given and ends at 100%", async () => {
    const { Writable } = await import("node:stream");
    const { progressBar } = await import("tessera");
    let text = "";
    const stream = Object.assign(new Writable({ write: (chunk: Buffer, _e, cb) => ((text += chunk.toString()), cb()) }), { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    const bar = progressBar({ stream, delayMs: 0 });
    await random.uniform([64, 64], { seed: 3, chunks: 8 }).add(1).sum().compute({ ...threads, onEvent: bar });
    expect(text).toMatch(/tessera \[/);
    expect(text).toMatch(/100%/);
  });

  it("the profile adds up every task and serializes to JSON", async () => {
    const p = profile();
    const x = random.uniform([128, 128], { seed: 4, chunks: 32 });
    let ends = 0;
    await x.std().compute({ ...threads, onEvent: (e) => (p.listener(e), void (e.type === "task-end" && ends++)) });
    const s = JSON.parse(JSON.stringify(p)) as { tasks: number; byOp: { tasks: number }[] };
    expect(s.tasks).toBe(ends);
    expect(s.byOp.reduce((a, o) => a + o.tasks, 0)).toBe(ends);
  });
});
