import { describe, expect, it } from "vitest";
import { asarray, compute, isTesseraError, type DType, type Dense } from "tessera";
import type { ReduceKind } from "@tessera/array";
import { combine, reduceChunk } from "@tessera/backend-cpu";
import type { Tile } from "@tessera/core";
import rules from "../fixtures/numpy-rules.json" with { type: "json" };
import { CHUNKINGS_3D, SHAPE_3D } from "../helpers/chunkings.js";
import { castRef, makeData, mismatch, mulRef, ravel, sizeOf, tabulate, unravel, type Ref } from "../helpers/reference.js";

const AXES: (number | number[] | null)[] = [null, 0, 1, 2, -1, [0, 2], [1, 2], [0, 1, 2]];

/** The values reduced into output position `out`, in row-major order, with their flat/axis indices. */
function gather(r: Ref, axes: number[], out: number[], keepdims: boolean): { v: number; i: number }[] {
  const redShape = axes.map((a) => r.shape[a]!);
  const res: { v: number; i: number }[] = [];
  for (let k = 0; k < sizeOf(redShape); k++) {
    const sub = unravel(k, redShape);
    const idx: number[] = [];
    let o = 0;
    for (let d = 0; d < r.shape.length; d++) {
      if (axes.includes(d)) idx.push(sub[axes.indexOf(d)]!);
      else idx.push(out[keepdims ? d : o++]!);
    }
    res.push({ v: r.values[ravel(idx, r.shape)]!, i: axes.length === 1 && r.shape.length > 1 ? sub[0]! : ravel(idx, r.shape) });
  }
  return res;
}

function naive(kind: ReduceKind, xs: { v: number; i: number }[], ddof: number): number {
  const vals = xs.map((x) => x.v);
  const nan = kind.startsWith("nan");
  const kept = nan ? vals.filter((v) => !Number.isNaN(v)) : vals;
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  const variance = kept.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(kept.length - ddof, 0);
  switch (kind) {
    case "sum":
    case "nansum":
      return kept.reduce((a, b) => a + b, 0);
    case "prod":
    case "nanprod":
      return kept.reduce((a, b) => a * b, 1);
    case "min":
    case "max":
      return vals.some(Number.isNaN) ? NaN : (kind === "min" ? Math.min : Math.max)(...vals);
    case "nanmin":
    case "nanmax":
      return kept.length === 0 ? NaN : (kind === "nanmin" ? Math.min : Math.max)(...kept);
    case "any":
      return vals.some((v) => v !== 0) ? 1 : 0;
    case "all":
      return vals.every((v) => v !== 0) ? 1 : 0;
    case "mean":
    case "nanmean":
      return mean;
    case "var":
    case "nanvar":
      return variance;
    case "std":
    case "nanstd":
      return Math.sqrt(variance);
    case "argmin":
    case "argmax": {
      const firstNan = xs.find((x) => Number.isNaN(x.v));
      if (firstNan) return firstNan.i;
      let best = xs[0]!;
      for (const x of xs) if (kind === "argmin" ? x.v < best.v : x.v > best.v) best = x;
      return best.i;
    }
  }
}

function refReduce(kind: ReduceKind, r: Ref, axis: number | number[] | null, keepdims: boolean, ddof: number, dtype: DType): Ref {
  const nd = r.shape.length;
  const axes = axis === null ? r.shape.map((_, i) => i) : (typeof axis === "number" ? [axis] : axis).map((a) => (a + nd) % nd);
  const shape = r.shape.flatMap((n, d) => (axes.includes(d) ? (keepdims ? [1] : []) : [n]));
  return { values: tabulate(shape, (out) => castRef(naive(kind, gather(r, axes, out, keepdims), ddof), dtype)), shape, dtype };
}

const numpyDtype = (kind: ReduceKind, d: DType): DType => {
  if (kind.startsWith("arg")) return "int64";
  const base = kind.replace(/^nan/, "") as keyof typeof rules.reduce;
  return rules.reduce[base][d as keyof (typeof rules.reduce)["sum"]] as DType;
};

const KINDS: ReduceKind[] = ["sum", "prod", "mean", "var", "std", "min", "max", "any", "all", "argmin", "argmax", "nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmin", "nanmax"];
const DTYPES: DType[] = ["bool", "uint8", "int16", "int32", "int64", "float32", "float64"];
const skip = (kind: ReduceKind, d: DType): boolean => (kind.startsWith("nan") && !d.startsWith("float")) || (kind.includes("prod") && d === "int64");

describe("reductions match the naive reference over axes, keepdims, chunkings and split factors", () => {
  for (const kind of KINDS) {
    it(kind, async () => {
      const failures: string[] = [];
      for (const dtype of DTYPES) {
        if (skip(kind, dtype)) continue;
        // prod over many values overflows; keep its inputs near 1.
        const { data, ref } = makeData(dtype, SHAPE_3D, 21, { nan: kind.startsWith("nan") || kind === "max" });
        // Products of many integers overflow 64 bits (NumPy wraps them, we compute in float64): keep them at -1..1.
        const f = dtype.startsWith("float") ? (v: number) => 1 + v / 40 : (v: number) => Math.sign(v);
        const scaled = kind.includes("prod") ? { data: (data as Float64Array).map((v) => f(v)), ref: { ...ref, values: ref.values.map((v) => castRef(f(v), dtype)) } } : { data, ref };
        const outDtype = numpyDtype(kind, dtype);
        for (const [cname, chunks] of Object.entries(CHUNKINGS_3D)) {
          const x = asarray(scaled.data, { shape: SHAPE_3D, chunks, dtype });
          for (const axis of AXES) {
            if (kind.startsWith("arg") && Array.isArray(axis)) continue;
            for (const keepdims of [false, true]) {
              for (const splitEvery of [undefined, 2]) {
                const ddof = kind.includes("var") || kind.includes("std") ? 1 : 0;
                const y = x[kind as "sum"]({ axis, keepdims, ...(splitEvery ? { splitEvery } : {}), ...(ddof ? { ddof } : {}) } as never);
                const expected = refReduce(kind, scaled.ref, axis, keepdims, ddof, outDtype);
                const m = mismatch(await y.compute(), expected, dtype === "float32" || outDtype === "float32" ? 1e-5 : 1e-9);
                if (m) failures.push(`${dtype}/${cname}/axis=${JSON.stringify(axis)}/keepdims=${keepdims}/split=${splitEvery}: ${m}`);
              }
            }
          }
        }
      }
      expect(failures.slice(0, 20)).toEqual([]);
    });
  }
});

describe("reduction edge cases", () => {
  it("var merges chunk moments without losing precision on a long float32 axis", async () => {
    // 2^20 values 1e4 + small noise: naive sum-of-squares in float32 would lose every digit of the variance.
    const n = 1 << 20;
    const data = new Float32Array(n);
    let exactMean = 0;
    for (let i = 0; i < n; i++) {
      data[i] = 1e4 + ((i * 7919) % 1000) / 1000;
      exactMean += data[i]!;
    }
    exactMean /= n;
    let m2 = 0;
    for (let i = 0; i < n; i++) m2 += (data[i]! - exactMean) ** 2;
    const x = asarray(data, { chunks: 4096 });
    const r = await x.var().compute();
    expect(Math.abs(Number(r.data[0]) - m2 / n) / (m2 / n)).toBeLessThan(1e-6);
    const s = await x.sum().compute();
    expect(Math.abs(Number(s.data[0]) - exactMean * n) / (exactMean * n)).toBeLessThan(1e-7);
  });

  it("one-pass (shifted) moments: a large offset with tiny spread, a first element far from the rest, infinities and NaN", async () => {
    // float64 1e9 + small noise: M2 by shifted sums must match a two-pass reference to ~1e-9 relative.
    const n = 4096;
    const far = Float64Array.from({ length: n }, (_, i) => 1e9 + ((i * 7919) % 1000) / 1e4);
    far[0] = -1e6; // the shift is the block's first element: far from the mean
    const twoPass = (v: Float64Array, ddof: number): number => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - ddof);
    };
    for (const chunks of [n, 1000, 64]) {
      const got = Number((await asarray(far, { chunks }).var({ ddof: 1 }).compute()).data[0]);
      expect(Math.abs(got - twoPass(far, 1)) / twoPass(far, 1), `chunks ${chunks}`).toBeLessThan(1e-9);
      // Per row (a kept axis): each column's shift is its first row.
      const rows = asarray(far, { shape: [64, 64], chunks: [chunks === n ? 64 : 16, 64] }).std({ axis: 0 });
      const r = (await rows.compute()).data as Float64Array;
      for (const j of [0, 5, 63]) {
        const col = Float64Array.from({ length: 64 }, (_, i) => far[i * 64 + j]!);
        expect(Math.abs(r[j]! - Math.sqrt(twoPass(col, 0))) / Math.sqrt(twoPass(col, 0))).toBeLessThan(1e-9);
      }
    }
    // NumPy: an infinity makes the variance NaN and the mean infinite, wherever it is (also first: no shift).
    for (const pos of [0, 7]) {
      const v = Float64Array.from({ length: 16 }, (_, i) => (i === pos ? Infinity : i));
      const [mean, variance] = (await compute(asarray(v).mean(), asarray(v).var())) as Dense[];
      expect(mean!.data[0]).toBe(Infinity);
      expect(variance!.data[0]).toBeNaN();
    }
    const withNaN = Float64Array.from({ length: 16 }, (_, i) => (i === 3 ? NaN : i));
    expect((await asarray(withNaN).std().compute()).data[0]).toBeNaN();
  });

  it("sums over leading rows (the row-sum paths): blocks of 1 to 45 rows, folded one by one or as one group, match the naive sum", async () => {
    const failures: string[] = [];
    for (const dtype of ["uint8", "float32", "int16"] as const) {
      const shape = [45, 7, 3];
      const { data, ref } = makeData(dtype, shape, 4);
      const frame = 21;
      const want = tabulate([1, 7, 3], ([, j, k]) => Array.from({ length: 45 }, (_, i) => ref.values[i * frame + j! * 3 + k!]!).reduce((a, b) => a + b, 0));
      for (const rows of [1, 2, 3, 5, 8, 13, 21, 45]) {
        // Blocks as views into the one buffer (offsets), as the reduction gets them.
        const blocks: Tile[] = [];
        for (let r = 0; r < 45; r += rows) {
          const n = Math.min(rows, 45 - r);
          blocks.push({ data, shape: [n, 7, 3], dtype, strides: [frame, 3, 1], offset: r * frame });
        }
        const grouped = reduceChunk(blocks, { kind: "sum", axes: [0] })[0]!;
        const oneByOne = combine("sum", blocks.map((b) => reduceChunk([b], { kind: "sum", axes: [0] })));
        for (const [how, got] of [["grouped", grouped], ["one by one", oneByOne[0]!]] as const) {
          const m = mismatch({ data: got.data, shape: [...got.shape], dtype: "float64" }, { values: want, shape: [1, 7, 3], dtype: "float64" }, 1e-9);
          if (m) failures.push(`${dtype}/${rows} rows/${how}: ${m}`);
        }
        // And through compute (the optimizer groups these small blocks), with mean's count.
        const x = asarray(data, { shape, chunks: [rows, -1, -1], dtype });
        const m = mismatch(await x.mean({ axis: 0 }).compute(), refReduce("mean", ref, 0, false, 0, numpyDtype("mean", dtype)), 1e-6);
        if (m) failures.push(`${dtype}/${rows} rows/mean: ${m}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("zero-size min is an error; zero-size sum is the identity", async () => {
    const x = asarray(new Float64Array(0), { shape: [0, 3] });
    expect(() => x.min({ axis: 0 })).toThrow(expect.objectContaining({ code: "ValueError" }));
    const s = await x.sum({ axis: 0 }).compute();
    expect([...s.data]).toEqual([0, 0, 0]);
  });

  it("argmin over several axes is refused", () => {
    const x = asarray(new Float64Array(6), { shape: [2, 3] });
    try {
      x.argmin({ axis: [0, 1] });
      expect.unreachable();
    } catch (e) {
      expect(isTesseraError(e, "AxisError")).toBe(true);
    }
  });
});

describe("cumulative sums and products", () => {
  const ref = (values: number[], shape: number[], axis: number, prod: boolean, dtype: DType): Ref => {
    const strideAxis = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const out = values.slice();
    for (let k = 0; k < out.length; k++) {
      const pos = Math.floor(k / strideAxis) % shape[axis]!;
      if (pos > 0) out[k] = prod ? out[k]! * out[k - strideAxis]! : out[k]! + out[k - strideAxis]!;
    }
    return { values: out.map((v) => castRef(v, dtype)), shape, dtype };
  };
  for (const kind of ["cumsum", "cumprod"] as const) {
    it(kind, async () => {
      const failures: string[] = [];
      for (const dtype of ["int16", "float32", "float64"] as DType[]) {
        const { data, ref: r } = makeData(dtype, SHAPE_3D, 5);
        const vals = kind === "cumprod" ? r.values.map((v) => castRef(dtype === "int16" ? Math.sign(v) : 1 + v / 40, dtype)) : r.values;
        const input = kind === "cumprod" ? (dtype === "int16" ? (data as Int16Array).map((v) => Math.sign(v)) : (data as Float32Array).map((v) => 1 + v / 40)) : data;
        const outDtype = rules.reduce[kind][dtype as "int16"] as DType;
        for (const chunks of Object.values(CHUNKINGS_3D)) {
          for (const axis of [0, 1, 2]) {
            const y = asarray(input, { shape: SHAPE_3D, chunks, dtype })[kind](axis);
            const m = mismatch(await y.compute(), ref(vals, [...SHAPE_3D], axis, kind === "cumprod", outDtype), 1e-5);
            if (m) failures.push(`${dtype}/axis ${axis}: ${m}`);
          }
        }
        const flat = await asarray(input, { shape: SHAPE_3D, chunks: [2, 2, 2], dtype })[kind]().compute();
        const m = mismatch(flat, ref(vals, [sizeOf(SHAPE_3D)], 0, kind === "cumprod", outDtype), 1e-5);
        if (m) failures.push(`${dtype}/flattened: ${m}`);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe("reductions of elementwise expressions (evaluated inside the reduction's loop) match the reference", () => {
  const kinds: ReduceKind[] = ["sum", "mean", "var", "std", "min", "max", "any", "nanmean", "nanmax", "argmax", "argmin"];
  for (const dtype of ["uint8", "int16", "float32", "float64"] as DType[]) {
    it(dtype, async () => {
      const failures: string[] = [];
      const { data, ref } = makeData(dtype, SHAPE_3D, 31, { nan: true });
      const { data: v, ref: rv } = makeData(dtype, [4], 32);
      // y = x * 3 - v, with the dtype NumPy gives (uint8 wraps), then every kind over several axes.
      const out = rules.binary.mul[dtype as "uint8"][dtype as "uint8"] as DType;
      const yRef = { values: ref.values.map((a, i) => castRef(castRef(mulRef(a, 3, out), out) - rv.values[i % 4]!, out)), shape: [...SHAPE_3D], dtype: out };
      for (const chunks of Object.values(CHUNKINGS_3D)) {
        const x = asarray(data, { shape: SHAPE_3D, chunks, dtype });
        const y = x.mul(3).sub(asarray(v, { dtype }));
        for (const kind of kinds) {
          if (kind.startsWith("nan") && !dtype.startsWith("float")) continue;
          for (const axis of [null, 0, [1, 2], 2] as (number | number[] | null)[]) {
            if (kind.startsWith("arg") && Array.isArray(axis)) continue;
            const ddof = kind === "var" || kind === "std" ? 1 : 0;
            const r = await y[kind as "sum"]({ axis, ...(ddof ? { ddof } : {}) } as never).compute();
            const m = mismatch(r, refReduce(kind, yRef, axis, false, ddof, numpyDtype(kind, out)), out === "float32" ? 1e-5 : 1e-9);
            if (m) failures.push(`${kind} axis=${JSON.stringify(axis)}: ${m}`);
          }
        }
      }
      expect(failures.slice(0, 10)).toEqual([]);
    });
  }
});
