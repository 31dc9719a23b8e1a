import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asarray, broadcastTo, concatenate, directTaskBytes, moveaxis, planRechunk, slice, stack, type SelectionItem } from "tessera";
import { broadcastGet, broadcastShape, makeData, mismatch, ravel, sizeOf, tabulate, unravel, type Ref } from "../helpers/reference.js";

/** Random explicit chunks for an axis of length n. */
const chunksFor = (n: number): fc.Arbitrary<number[]> =>
  n === 0 ? fc.constant([0]) : fc.array(fc.integer({ min: 1, max: Math.max(1, n) }), { minLength: 1, maxLength: 6 }).map((sizes) => {
    const out: number[] = [];
    let left = n;
    for (let i = 0; left > 0; i++) {
      const s = Math.min(left, sizes[i % sizes.length]!);
      out.push(s);
      left -= s;
    }
    return out;
  });

const shapeArb = (maxDims = 3, maxLen = 7, minLen = 0): fc.Arbitrary<number[]> => fc.array(fc.integer({ min: minLen, max: maxLen }), { minLength: 1, maxLength: maxDims });
const withChunks = (shape: fc.Arbitrary<number[]>): fc.Arbitrary<{ shape: number[]; chunks: number[][] }> =>
  shape.chain((s) => fc.tuple(...s.map(chunksFor)).map((chunks) => ({ shape: s, chunks })));

const RUNS = { numRuns: 150 };

/** The reference of basic indexing: Python semantics, element by element. */
function refSelect(r: Ref, sel: SelectionItem[]): Ref {
  const consumed = sel.filter((s) => s !== "newaxis" && s !== "...").length;
  const items: SelectionItem[] = sel.flatMap((s) => (s === "..." ? new Array<SelectionItem>(r.shape.length - consumed).fill(null) : [s]));
  while (items.filter((s) => s !== "newaxis").length < r.shape.length) items.push(null);
  const axes: { kind: "idx"; v: number; axis: number } | { kind: "rng"; pos: number[]; axis: number } | { kind: "new" } extends infer T ? T[] : never = [];
  let a = 0;
  for (const s of items) {
    if (s === "newaxis") {
      axes.push({ kind: "new" });
      continue;
    }
    const n = r.shape[a]!;
    if (typeof s === "number") axes.push({ kind: "idx", v: s < 0 ? s + n : s, axis: a });
    else {
      const all = Array.from({ length: n }, (_, i) => i);
      const sl = s === null ? { start: null, stop: null, step: null } : (s as { start: number | null; stop: number | null; step: number | null });
      const step = sl.step ?? 1;
      // Python slice semantics, spelled out the slow way.
      const pos: number[] = [];
      const norm = (v: number | null, def: number, lo: number, hi: number): number => (v === null ? def : Math.min(Math.max(v < 0 ? v + n : v, lo), hi));
      if (step > 0) for (let i = norm(sl.start, 0, 0, n); i < norm(sl.stop, n, 0, n); i += step) pos.push(all[i]!);
      else for (let i = norm(sl.start, n - 1, -1, n - 1); i > norm(sl.stop, -1, -1, n - 1); i += step) pos.push(all[i]!);
      axes.push({ kind: "rng", pos, axis: a });
    }
    a++;
  }
  const shape = axes.flatMap((x) => (x.kind === "new" ? [1] : x.kind === "rng" ? [x.pos.length] : []));
  const values = tabulate(shape, (out) => {
    const idx: number[] = [];
    let o = 0;
    for (const x of axes) {
      if (x.kind === "new") o++;
      else if (x.kind === "idx") idx.push(x.v);
      else idx.push(x.pos[out[o++]!]!);
    }
    return r.values[ravel(idx, r.shape)]!;
  });
  return { values, shape, dtype: r.dtype };
}

const selectionItem = (n: number): fc.Arbitrary<SelectionItem> =>
  fc.oneof(
    n > 0 ? fc.integer({ min: -n, max: n - 1 }) : fc.constant(null),
    fc.constant(null),
    fc.tuple(fc.option(fc.integer({ min: -n - 2, max: n + 2 })), fc.option(fc.integer({ min: -n - 2, max: n + 2 })), fc.option(fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0))).map(([a, b, c]) => slice(a, b, c)),
  );

describe("properties (fast-check)", () => {
  it("slicing: any selection of any chunking equals Python's semantics", async () => {
    const arb = withChunks(shapeArb()).chain(({ shape, chunks }) =>
      fc.tuple(fc.constant(shape), fc.constant(chunks), fc.tuple(...shape.map(selectionItem)), fc.integer({ min: 0, max: shape.length }), fc.boolean()),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([shape, chunks, items, newAt, ellipsis]) => {
        const { data, ref } = makeData("int32", shape, 3);
        let sel: SelectionItem[] = [...items];
        sel.splice(newAt, 0, "newaxis");
        if (ellipsis && sel.length > 1) sel = [sel[0]!, "..."];
        const y = asarray(data, { shape, chunks }).get(sel);
        const expected = refSelect(ref, sel);
        expect(y.shape).toEqual(expected.shape);
        expect(mismatch(await y.compute(), expected)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("reshape: values keep row-major order and blocks map one to one", async () => {
    const arb = withChunks(shapeArb(3, 6, 1)).chain(({ shape, chunks }) => {
      const factors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
      const size = sizeOf(shape);
      return fc.tuple(fc.constant(shape), fc.constant(chunks), fc.constantFrom(...factors(size)).chain((a) => fc.constantFrom(...factors(size / a)).map((b) => [a, b, size / a / b])), fc.integer({ min: 0, max: 3 }));
    });
    await fc.assert(
      fc.asyncProperty(arb, async ([shape, chunks, target, unknownAt]) => {
        const { data, ref } = makeData("float64", shape, 4);
        const t: number[] = [...target];
        if (unknownAt < 3) t[unknownAt] = -1;
        const y = asarray(data, { shape, chunks }).reshape(t);
        expect(y.shape).toEqual(target);
        expect(y.chunks.map((c) => c.reduce((a, b) => a + b, 0))).toEqual(target);
        expect(mismatch(await y.compute(), { ...ref, shape: target })).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("rechunk: values are unchanged and the plan keeps every task under its byte limit", async () => {
    const arb = withChunks(shapeArb(3, 9, 1)).chain(({ shape, chunks }) => fc.tuple(fc.constant(shape), fc.constant(chunks), fc.tuple(...shape.map(chunksFor))));
    await fc.assert(
      fc.asyncProperty(arb, async ([shape, from, to]) => {
        const { data, ref } = makeData("int16", shape, 5);
        const x = asarray(data, { shape, chunks: from });
        const limit = 2 * 8 * Math.max(sizeOf(from.map((c) => Math.max(...c))), sizeOf(to.map((c) => Math.max(...c)))) * 2;
        const y = x.rechunk(to, { blockLimit: limit });
        expect(y.chunks).toEqual(to);
        expect(mismatch(await y.compute(), ref)).toBeUndefined();
        // A plan of two steps is taken only when the direct step breaks the limit, and each of its steps holds less.
        const direct = directTaskBytes(from, to, 2);
        const plan = planRechunk(from, to, 2, limit);
        if (direct <= limit) expect(plan.length).toBe(1);
        if (plan.length === 2) {
          expect(directTaskBytes(from, plan[0]!, 2)).toBeLessThan(direct);
          expect(directTaskBytes(plan[0]!, to, 2)).toBeLessThan(direct);
        }
      }),
      RUNS,
    );
  });

  it("broadcasting: binary ops over any broadcast-compatible shapes and chunkings", async () => {
    const arb = withChunks(shapeArb(3, 5, 1)).chain(({ shape, chunks }) => {
      const other = fc.tuple(...shape.map((n) => fc.constantFrom(n, 1))).chain((s) => fc.integer({ min: 0, max: s.length - 1 }).map((drop) => s.slice(drop)));
      return fc.tuple(fc.constant(shape), fc.constant(chunks), other.chain((s) => fc.tuple(fc.constant(s), fc.tuple(...s.map(chunksFor)))));
    });
    await fc.assert(
      fc.asyncProperty(arb, async ([shape, chunks, [s2, c2]]) => {
        const a = makeData("float32", shape, 6);
        const b = makeData("float32", s2, 7);
        const y = asarray(a.data, { shape, chunks }).sub(asarray(b.data, { shape: s2, chunks: c2 }));
        const out = broadcastShape(shape, s2);
        const expected = { values: tabulate(out, (i) => Math.fround(broadcastGet(a.ref, i) - broadcastGet(b.ref, i))), shape: out, dtype: "float32" as const };
        expect(mismatch(await y.compute(), expected)).toBeUndefined();
      }),
      RUNS,
    );
  });
});

describe("the rechunk planner bounds memory where a direct rechunk cannot", () => {
  it("rows to columns goes through an intermediate chunking with every task under the limit", async () => {
    const n = 64;
    const from = [new Array<number>(n).fill(1), [n]];
    const to = [[n], new Array<number>(n).fill(1)];
    const limit = 4 * n * 8;
    expect(directTaskBytes(from, to, 8)).toBeGreaterThan(limit);
    const plan = planRechunk(from, to, 8, limit);
    expect(plan.length).toBe(2);
    let prev = from;
    for (const step of plan) {
      expect(directTaskBytes(prev, step as number[][], 8)).toBeLessThanOrEqual(limit);
      prev = step as number[][];
    }
    const { data, ref } = makeData("float64", [n, n], 8);
    expect(mismatch(await asarray(data, { shape: [n, n], chunks: from }).rechunk(to, { blockLimit: limit }).compute(), ref)).toBeUndefined();
  });
});

describe("axis manipulation against the reference", () => {
  const shape = [4, 3, 5];
  const { data, ref } = makeData("int32", shape, 9);
  const chunkings = [[2, 2, 3], [3, 1, 5], -1, [1, 1, 1]] as const;
  const permute = (r: Ref, perm: number[]): Ref => {
    const s = perm.map((p) => r.shape[p]!);
    return { values: tabulate(s, (i) => r.values[ravel(perm.map((_, d) => i[perm.indexOf(d)]!), r.shape)]!), shape: s, dtype: r.dtype };
  };
  it("transpose, T and moveaxis", async () => {
    for (const chunks of chunkings) {
      const x = asarray(data, { shape, chunks: chunks as never });
      expect(mismatch(await x.T.compute(), permute(ref, [2, 1, 0]))).toBeUndefined();
      expect(mismatch(await x.transpose([1, 2, 0]).compute(), permute(ref, [1, 2, 0]))).toBeUndefined();
      expect(mismatch(await moveaxis(x, 0, -1).compute(), permute(ref, [1, 2, 0]))).toBeUndefined();
      expect(mismatch(await x.moveaxis([0, 1], [2, 0]).compute(), permute(ref, [1, 2, 0]))).toBeUndefined();
    }
  });
  it("squeeze, expandDims and broadcastTo", async () => {
    for (const chunks of chunkings) {
      const x = asarray(data, { shape, chunks: chunks as never });
      const e = x.expandDims([0, 3]);
      expect(e.shape).toEqual([1, 4, 3, 1, 5]);
      expect(mismatch(await e.compute(), { ...ref, shape: [1, 4, 3, 1, 5] })).toBeUndefined();
      expect(mismatch(await e.squeeze().compute(), ref)).toBeUndefined();
      expect(mismatch(await e.squeeze(3).compute(), { ...ref, shape: [1, 4, 3, 5] })).toBeUndefined();
      const b = broadcastTo(x.get([null, 1, "newaxis", null]), [4, 2, 5]);
      const eb = { values: tabulate([4, 2, 5], ([i, , k]) => ref.values[ravel([i!, 1, k!], shape)]!), shape: [4, 2, 5], dtype: "int32" as const };
      expect(mismatch(await b.compute(), eb)).toBeUndefined();
    }
  });
  it("concatenate and stack with promotion and misaligned chunks", async () => {
    const other = makeData("float32", [4, 2, 5], 10);
    for (const chunks of chunkings) {
      const x = asarray(data, { shape, chunks: chunks as never });
      const y = asarray(other.data, { shape: [4, 2, 5], chunks: [3, 2, 2] });
      const c = concatenate([x, y], 1);
      expect(c.dtype).toBe("float64");
      const ec = { values: tabulate([4, 5, 5], ([i, j, k]) => (j! < 3 ? ref.values[ravel([i!, j!, k!], shape)]! : other.ref.values[ravel([i!, j! - 3, k!], [4, 2, 5])]!)), shape: [4, 5, 5], dtype: "float64" as const };
      expect(mismatch(await c.compute(), ec)).toBeUndefined();
      const s = stack([x, x.mul(2)], -1);
      const es = { values: tabulate([4, 3, 5, 2], ([i, j, k, l]) => ref.values[ravel([i!, j!, k!], shape)]! * (l! + 1)), shape: [4, 3, 5, 2], dtype: "int32" as const };
      expect(mismatch(await s.compute(), es)).toBeUndefined();
    }
  });
  it("take gathers positions along an axis, reading only the touched blocks", async () => {
    const idx = [4, -1, 0, 0, 2];
    for (const chunks of chunkings) {
      const x = asarray(data, { shape, chunks: chunks as never });
      const t = x.take(idx, 2);
      const et = { values: tabulate([4, 3, 5], ([i, j, k]) => ref.values[ravel([i!, j!, (idx[k!]! + 5) % 5], shape)]!), shape: [4, 3, 5], dtype: "int32" as const };
      expect(mismatch(await t.compute(), et)).toBeUndefined();
    }
    const big = asarray(new Float64Array(100), { chunks: 10 });
    expect(big.take([3, 5], 0).numTasks).toBe(2);
  });
  it("slicing reads only the touched blocks", () => {
    const x = asarray(new Float64Array(100), { chunks: 10 });
    expect(x.get(slice(12, 18)).numTasks).toBe(2);
    expect(x.get(55).numTasks).toBe(2);
    expect(unravel(5, [2, 3])).toEqual([1, 2]);
  });
});
