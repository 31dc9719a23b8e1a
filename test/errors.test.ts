import { describe, expect, it } from "vitest";
import { arange, asarray, isTesseraError, normalizeChunks, ones, slice, zeros, type Dense, type ErrorCode } from "tessera";

/** Asserts `f` throws (synchronously, at build time) a tagged error whose message names what is given. */
function throwsTagged(f: () => unknown, code: ErrorCode, ...mentions: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(isTesseraError(caught, code), `expected ${code}, got ${String(caught)}`).toBe(true);
  for (const m of mentions) expect((caught as Error).message).toMatch(m);
}

describe("bad input raises a tagged error when the expression is built", () => {
  const x = ones([4, 6], { chunks: 2 });
  it("incompatible broadcast shapes", () => throwsTagged(() => x.add(ones([5])), "ShapeMismatch", "(4, 6)", "(5)", "axis 1"));
  it("bad axes", () => {
    throwsTagged(() => x.sum({ axis: 2 }), "AxisError", "axis 2", "-2..1");
    throwsTagged(() => x.mean({ axis: [0, 0] }), "AxisError", "repeated");
    throwsTagged(() => x.transpose([0, 0]), "AxisError", "permutation");
    throwsTagged(() => x.squeeze(0), "AxisError", "size 4");
  });
  it("bad chunk specs", () => {
    throwsTagged(() => ones([4, 6], { chunks: [2] }), "ChunkSpecError", "1 entries", "2 dimensions");
    throwsTagged(() => ones([4, 6], { chunks: 0 }), "ChunkSpecError", "positive integer");
    throwsTagged(() => ones([4, 6], { chunks: [[2, 1], -1] }), "ChunkSpecError", "summing to the axis length 4");
    throwsTagged(() => x.rechunk([2.5, 3]), "ChunkSpecError", "2.5");
    expect(normalizeChunks("auto", [1000, 1000], "float64", { limit: 80000 })).toEqual([new Array(10).fill(100), new Array(10).fill(100)]);
  });
  it("unknown dtypes", () => {
    throwsTagged(() => zeros([2], { dtype: "float16" as never }), "DTypeError", '"float16"', "float32");
    throwsTagged(() => x.astype("complex64" as never), "DTypeError", "complex64");
  });
  it("impossible reshapes", () => {
    throwsTagged(() => x.reshape([5, 5]), "ReshapeError", "(4, 6)", "24 elements");
    throwsTagged(() => x.reshape([-1, -1]), "ReshapeError", "at most one -1");
  });
  it("out-of-range indices", () => {
    throwsTagged(() => x.get([4]), "IndexError", "index 4", "axis 0", "-4..3");
    throwsTagged(() => x.get([0, 0, 0]), "IndexError", "3 axes");
    throwsTagged(() => x.get([slice(0, 4, 0)]), "IndexError", "step");
    throwsTagged(() => x.take([7], 0), "IndexError", "indices[0] = 7");
  });
  it("casting and scalar overflow", () => {
    throwsTagged(() => x.astype("int8", { casting: "safe" }), "CastingError", "float64", "int8", "unsafe");
    throwsTagged(() => ones([3], { dtype: "uint8" }).add(300), "OverflowError", "300", "uint8");
    throwsTagged(() => ones([3], { dtype: "bool" }).sub(ones([3], { dtype: "bool" })), "DTypeError", "bool");
  });
  it("ragged nested input", () => throwsTagged(() => asarray([[1, 2], [3]]), "ShapeMismatch", "ragged", "at [1]"));
  it("arange with a zero step", () => throwsTagged(() => arange(0, 5, 0), "ValueError", "step"));
});

describe("failures during compute", () => {
  it("the first task error reaches the caller with the op and block", async () => {
    const y = ones([4, 4], { chunks: 2 }).mapBlocks((b: Dense) => {
      if ((b.data as Float64Array)[0] === 1) throw new Error("boom");
      return b.data;
    });
    await expect(y.compute()).rejects.toSatisfy((e: unknown) => isTesseraError(e, "TaskError") && /op call/.test((e as Error).message) && /boom/.test((e as Error).message) && /:\d+,\d+ /.test((e as Error).message));
  });

  it("an AbortSignal cancels a compute, before or during", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(ones([10], { chunks: 2 }).sum().compute({ signal: ac.signal })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "AbortError"));
    const ac2 = new AbortController();
    let started = 0;
    const p = ones([4000], { chunks: 1 }).add(1).sum().compute({
      signal: ac2.signal,
      onEvent: (e) => {
        if (e.type === "task-start" && ++started === 10) ac2.abort(new Error("enough"));
      },
    });
    await expect(p).rejects.toSatisfy((e: unknown) => isTesseraError(e, "AbortError") && /enough/.test((e as Error).message));
    expect(started).toBeLessThan(20);
  });

  it("events count every task", async () => {
    const y = ones([8, 8], { chunks: 2 }).add(1).sum({ axis: 0 });
    const counts = { start: 0, end: 0, computeEnd: 0 };
    await y.compute({
      onEvent: (e) => {
        if (e.type === "task-start") counts.start++;
        if (e.type === "task-end") counts.end++;
        if (e.type === "compute-end") counts.computeEnd++;
      },
    });
    // One task per column of blocks (its 4 blocks made, folded as one group and aggregated: 4) and the final
    // assembly; without grouping, one fused task per block (16), one combine per column (4), the assembly.
    expect(counts).toEqual({ start: 5, end: 5, computeEnd: 1 });
    const ungrouped = { start: 0, end: 0, computeEnd: 0 };
    await y.compute({
      memoryLimit: 1024,
      onEvent: (e) => {
        if (e.type === "task-start") ungrouped.start++;
        if (e.type === "task-end") ungrouped.end++;
        if (e.type === "compute-end") ungrouped.computeEnd++;
      },
    });
    expect(ungrouped).toEqual({ start: 21, end: 21, computeEnd: 1 });
  });
});

describe("compute options and the memory limit", () => {
  it("options that cannot mean anything are refused before any task runs, naming the option, the value and a fix", async () => {
    const { setDefaults } = await import("tessera");
    const x = ones([64, 64], { chunks: 16 }).add(1);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ memoryLimit: Number.NaN }, /compute\(memoryLimit\): NaN is not a positive, finite number of bytes; give e\.g\. 2 \* 2 \*\* 30/],
      [{ memoryLimit: -1 }, /compute\(memoryLimit\): -1 is not a positive/],
      [{ memoryLimit: 0 }, /compute\(memoryLimit\): 0 is not a positive/],
      [{ memoryLimit: Infinity }, /compute\(memoryLimit\): Infinity is not a positive/],
      [{ scheduler: "sync", memoryLimit: -5 }, /compute\(memoryLimit\): -5/],
      [{ workers: -1 }, /compute\(workers\): -1 is not a whole number of worker threads/],
      [{ workers: 2.5 }, /compute\(workers\): 2\.5 is not a whole number/],
      [{ inlineBytes: -3 }, /compute\(inlineBytes\): -3 must be a non-negative number/],
    ];
    for (const [opts, msg] of bad) {
      let started = 0;
      await expect(x.sum().compute({ ...opts, onEvent: (e) => void (e.type === "task-start" && started++) })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && msg.test((e as Error).message));
      expect(started, JSON.stringify(opts)).toBe(0);
    }
    expect(() => setDefaults({ memoryLimit: -1 })).toThrow(/setDefaults\(memoryLimit\): -1/);
  });

  it("a result larger than the limit says so and points to writing or streaming it; a block too big names a factor above 1", async () => {
    // The thread scheduler applies the limit (the sync scheduler does not).
    const x = ones([1024, 1024], { chunks: [256, 1024] }).add(1);
    await expect(x.compute({ scheduler: "threads", memoryLimit: 2 ** 20 })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "MemoryLimit") && /the result itself \(8\.0 MiB\) is larger than the limit/.test((e as Error).message) && /toZarr\(\)/.test((e as Error).message) && /blocks\(\)/.test((e as Error).message));
    // Blocks of 2 MiB under a 1 MiB limit, reduced: rechunking helps, by a real factor.
    await expect(x.sum().compute({ scheduler: "threads", memoryLimit: 2 ** 20 })).rejects.toSatisfy((e: unknown) => {
      const m = (e as Error).message;
      const f = Number(/about (\d+)x smaller/.exec(m)?.[1]);
      return isTesseraError(e, "MemoryLimit") && f >= 2 && new RegExp(`split axis 1 of the \\(256, 1024\\) blocks into ${f} parts`).test(m) && !/NaN|Infinity|-\d/.test(m.split("limit is")[1] ?? "");
    });
  });
});
