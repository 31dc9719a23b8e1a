import { describe, expect, it } from "vitest";
import { asarray, elementwise, isTesseraError, type DType, type LazyArray } from "tessera";
import { ewResultType, type EwOp } from "@tessera/kernels";
import { CHUNKINGS_2D, SHAPE_2D } from "../helpers/chunkings.js";
import { broadcastGet, broadcastShape, castRef, makeData, mismatch, mulRef, tabulate, typedFrom, type Ref } from "../helpers/reference.js";

/** Round half to even, written independently of the engine's helper. */
function roundHalfEven(a: number): number {
  if (!Number.isFinite(a)) return a;
  const f = Math.floor(a);
  const d = a - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const UNARY: Partial<Record<EwOp, (a: number, out: DType) => number>> = {
  neg: (a) => -a,
  abs: (a) => Math.abs(a),
  sqrt: Math.sqrt,
  square: (a, out) => mulRef(a, a, out),
  sign: (a) => (a > 0 ? 1 : a < 0 ? -1 : a),
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  arcsin: Math.asin,
  arctan: Math.atan,
  sinh: Math.sinh,
  tanh: Math.tanh,
  arcsinh: Math.asinh,
  floor: Math.floor,
  ceil: Math.ceil,
  trunc: Math.trunc,
  rint: roundHalfEven,
  isnan: (a) => (Number.isNaN(a) ? 1 : 0),
  isinf: (a) => (Math.abs(a) === Infinity ? 1 : 0),
  isfinite: (a) => (Number.isFinite(a) ? 1 : 0),
  logicalNot: (a) => (a === 0 ? 1 : 0),
};

const pyMod = (a: number, b: number): number => {
  const r = a - Math.floor(a / b) * b;
  return b === 0 ? NaN : r;
};
const isInt = (d: DType): boolean => d !== "bool" && d !== "float32" && d !== "float64";

const BINARY: Partial<Record<EwOp, (a: number, b: number, out: DType) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b, out) => mulRef(a, b, out),
  div: (a, b) => a / b,
  floorDivide: (a, b, out) => (isInt(out) && b === 0 ? 0 : Math.floor(a / b)),
  mod: (a, b, out) => (isInt(out) && b === 0 ? 0 : isInt(out) ? ((a % b) + b) % b : pyMod(a, b)),
  pow: (a, b) => a ** b,
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  arctan2: (a, b) => Math.atan2(a, b),
  hypot: (a, b) => Math.hypot(a, b),
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  logicalOr: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
  logicalXor: (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0),
  bitwiseAnd: (a, b) => Number(BigInt(a) & BigInt(b)),
  bitwiseOr: (a, b) => Number(BigInt(a) | BigInt(b)),
  bitwiseXor: (a, b) => Number(BigInt(a) ^ BigInt(b)),
};

const DTYPES: DType[] = ["bool", "uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "float32", "float64"];

function refEw(f: (...v: number[]) => number, operands: (Ref | number)[], out: DType): Ref {
  const shape = broadcastShape(...operands.filter((o): o is Ref => typeof o !== "number").map((r) => r.shape));
  const values = tabulate(shape, (idx) => castRef(f(...operands.map((o) => (typeof o === "number" ? o : broadcastGet(o, idx))), out as never), out));
  return { values, shape, dtype: out };
}

async function check(y: LazyArray, expected: Ref): Promise<string | undefined> {
  return mismatch(await y.compute(), expected);
}

describe("unary elementwise ops match the reference on every dtype and chunking", () => {
  for (const [op, f] of Object.entries(UNARY) as [EwOp, (a: number, out: DType) => number][]) {
    it(op, async () => {
      const failures: string[] = [];
      for (const dtype of DTYPES) {
        const { data, ref } = makeData(dtype, SHAPE_2D, 3, { nan: true });
        let out: DType;
        try {
          out = ewResultType(op, [dtype]);
        } catch (e) {
          expect(isTesseraError(e, "DTypeError")).toBe(true);
          continue;
        }
        const expected = refEw((a) => f(a, out), [ref], out);
        for (const [name, chunks] of Object.entries(CHUNKINGS_2D)) {
          const m = await check(elementwise(op, [asarray(data, { shape: SHAPE_2D, chunks, dtype: ref.dtype })]), expected);
          if (m) failures.push(`${dtype}/${name}: ${m}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

const PAIRS: [DType, DType][] = [
  ...DTYPES.map((d): [DType, DType] => [d, d]),
  ["uint8", "int8"],
  ["int16", "float32"],
  ["int32", "float32"],
  ["uint8", "float64"],
  ["bool", "int32"],
  ["uint32", "int32"],
  ["uint16", "int16"],
  ["float32", "float64"],
];
/** Shapes broadcast against (9, 8), with chunkings of their own. */
const OTHER: [readonly number[], Record<string, unknown>][] = [
  [[9, 8], { same: [3, 4], misaligned: [2, 5] }],
  [[8], { whole: -1, split: 3 }],
  [[9, 1], { split: [4, 1] }],
  [[1, 8], { split: [1, 3] }],
];

describe("binary elementwise ops match the reference with broadcasting and misaligned chunks", () => {
  for (const [op, f] of Object.entries(BINARY) as [EwOp, (a: number, b: number, out: DType) => number][]) {
    it(op, async () => {
      const failures: string[] = [];
      for (const [da, db] of PAIRS) {
        let out: DType;
        try {
          out = ewResultType(op, [da, db]);
        } catch {
          continue;
        }
        const { data: xa, ref: ra } = makeData(da, SHAPE_2D, 5, { nan: true });
        for (const [shape, chunkings] of OTHER) {
          const { data: xb, ref: rb } = makeData(db, shape, 7, { nan: true, positive: op === "pow" });
          // Integer powers stay small so that NumPy's wrapping products equal the exact ones.
          const rb2 = op === "pow" && isInt(db) ? { ...rb, values: rb.values.map((v) => v % 3) } : rb;
          const xb2 = op === "pow" && isInt(db) ? typedFrom(db, rb2.values) : xb;
          const expected = refEw((a, b) => f(a, b, out), [ra, rb2], out);
          for (const [ca, chunksA] of Object.entries(CHUNKINGS_2D)) {
            for (const [cb, chunksB] of Object.entries(chunkings)) {
              const x = asarray(xa, { shape: SHAPE_2D, chunks: chunksA, dtype: da });
              const y = asarray(xb2, { shape, chunks: chunksB as never, dtype: db });
              const m = await check(elementwise(op, [x, y]), expected);
              if (m) failures.push(`${da},${db} (${shape}) ${ca}/${cb}: ${m}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

describe("scalars are weak operands", () => {
  it("keeps the array dtype and matches the reference", async () => {
    const failures: string[] = [];
    for (const dtype of ["uint8", "int16", "int32", "float32", "float64"] as DType[]) {
      const { data, ref } = makeData(dtype, SHAPE_2D, 11);
      for (const s of [2, 0.5, -1]) {
        let out: DType;
        try {
          out = ewResultType("mul", [dtype, s]);
        } catch (e) {
          expect(isTesseraError(e, "OverflowError")).toBe(true);
          continue;
        }
        const expected = refEw((a, b) => mulRef(a, b, out), [ref, s], out);
        for (const chunks of Object.values(CHUNKINGS_2D)) {
          const x = asarray(data, { shape: SHAPE_2D, chunks, dtype: ref.dtype });
          const m = (await check(x.mul(s), expected)) ?? (await check(elementwise("mul", [s, x]), expected));
          if (m) failures.push(`${dtype} * ${s}: ${m}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("where, clip, round and astype", () => {
  it("where selects by a condition array with broadcasting", async () => {
    const { data: c, ref: rc } = makeData("bool", [9, 1], 2);
    const { data: a, ref: ra } = makeData("int16", SHAPE_2D, 3);
    const expected = refEw((k, x, y) => (k ? x : y), [rc, ra, -1], "int16");
    for (const chunks of Object.values(CHUNKINGS_2D)) {
      const r = await elementwise("where", [asarray(c, { shape: [9, 1], dtype: "bool" }), asarray(a, { shape: SHAPE_2D, chunks, dtype: "int16" }), -1]).compute();
      expect(mismatch(r, expected)).toBeUndefined();
    }
  });

  it("clip bounds values on both sides", async () => {
    const { data, ref } = makeData("float32", SHAPE_2D, 4, { nan: true });
    const expected = refEw((x) => (Number.isNaN(x) ? NaN : Math.min(Math.max(x, -3), 2.5)), [ref], "float32");
    for (const chunks of Object.values(CHUNKINGS_2D)) {
      expect(mismatch(await asarray(data, { shape: SHAPE_2D, chunks, dtype: ref.dtype }).clip(-3, 2.5).compute(), expected)).toBeUndefined();
    }
  });

  it("casts with NumPy's semantics for in-range values", async () => {
    const failures: string[] = [];
    for (const from of DTYPES) {
      const { data, ref } = makeData(from, SHAPE_2D, 9);
      for (const to of DTYPES) {
        const expected = refEw((a) => a, [ref], to);
        for (const chunks of Object.values(CHUNKINGS_2D)) {
          const m = await check(asarray(data, { shape: SHAPE_2D, chunks, dtype: ref.dtype }).astype(to), expected);
          if (m) failures.push(`${from} -> ${to}: ${m}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("fused elementwise chains (one loop) keep every intermediate's dtype", () => {
  it("wraps, rounds and casts between steps exactly as separate ops do", async () => {
    const failures: string[] = [];
    for (const dtype of ["uint8", "int8", "int16", "uint16", "int32", "uint32", "float32", "float64", "bool", "int64"] as DType[]) {
      const { data, ref } = makeData(dtype, SHAPE_2D, 13);
      const { data: d2, ref: r2 } = makeData(dtype, [8], 14);
      for (const chunks of Object.values(CHUNKINGS_2D)) {
        const x = asarray(data, { shape: SHAPE_2D, chunks, dtype });
        const v = asarray(d2, { dtype });
        const chains: [string, LazyArray, (a: number, b: number) => number, DType][] = [];
        try {
          // uint8 + uint8 wraps before the square root sees it; float32 rounds before the multiply.
          const sum = elementwise("add", [x, v]);
          const outDtype = ewResultType("sqrt", [sum.dtype]);
          chains.push(["sqrt(x + v) * 3 - 1", sum.sqrt().mul(3).sub(1), (a, b) => castRef(castRef(castRef(Math.sqrt(castRef(a + b, sum.dtype)), outDtype) * 3, outDtype) - 1, outDtype), outDtype]);
        } catch (e) {
          expect(isTesseraError(e)).toBe(true);
        }
        if (dtype !== "bool") {
          const y = x.mul(x).astype("int8").astype("float32").div(v.astype("float32").add(0.5));
          chains.push(["float32(int8(x * x)) / (float32(v) + 0.5)", y, (a, b) => castRef(castRef(castRef(mulRef(a, a, dtype), "int8"), "float32") / castRef(castRef(b, "float32") + 0.5, "float32"), "float32"), "float32"]);
        }
        for (const [name, y, f, out] of chains) {
          const fused = await y.compute();
          const unfused = await y.compute({ optimize: false });
          const m1 = mismatch(fused, { values: Array.from(unfused.data as ArrayLike<number>, Number), shape: [...unfused.shape], dtype: unfused.dtype }, 0);
          const m2 = mismatch(fused, refEw(f, [ref, r2], out));
          if (m1 || m2) failures.push(`${dtype} ${name}: ${m1 ?? ""} ${m2 ?? ""}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
