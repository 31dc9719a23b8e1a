/**
 * A block's mean and M2 (sum of squared deviations) in one pass, by shifted sums: with K an estimate of the
 * mean (the mean of the block's first 16 elements along the innermost reduced axis), S1 = sum(x - K) and
 * S2 = sum((x - K)^2) give mean = K + S1 / n and M2 = S2 - S1^2 / n. The two-pass form (the mean, then M2
 * around it) reads the block twice; on a chunk read from disk that second pass costs as much as the first.
 * Accuracy (Chan, Golub & LeVeque 1983, "shifted data"): the cancellation in S2 - S1^2/n costs about
 * ((mean - K) / std)^2 of float64's precision on top of the rounding of the sums themselves (about n * 2^-53
 * relative in the worst case, far less in practice), so the closer K is to the mean the better: a sample mean
 * of 16 elements is within a few std of it unless the block's start is unlike the rest, and |mean - K| / std
 * <= sqrt(n) always. Measured: relative errors of 1e-14 to 1e-11 on ordinary data, about 1e-9 on 2^20
 * elements whose first one is an outlier (two passes: about 1e-15). Partials still merge by Chan's pairwise
 * update. Used for plain tiles without NaN-skipping; other blocks take the two-pass path.
 */
import { allocate, contiguousTile, sizeOf, stridesOf, type Tile } from "@tessera/core";
import { runNest } from "../loops.js";
import { copyInto } from "../tiles.js";

export interface Moments {
  /** Elements folded into each position of the partial. */
  readonly count: number;
  readonly sum: Tile;
  readonly mean: Tile;
  readonly m2: Tile;
}

const zeros = (shape: readonly number[]): Tile => contiguousTile(allocate("float64", sizeOf(shape)), shape, "float64");

/** The mean of `t`'s first (up to) 16 elements along its innermost reduced axis, for every kept position. */
function leadingMean(t: Tile, axes: readonly number[], kept: readonly number[]): Tile {
  const r = Math.max(...axes);
  const m = Math.min(16, t.shape[r]!);
  const sample = zeros([...kept, m]);
  copyInto(sample, { data: t.data, dtype: t.dtype, offset: t.offset, shape: [...kept, m], strides: [...t.strides.map((s, d) => (axes.includes(d) ? 0 : s)), t.strides[r]!] });
  const k = zeros(kept);
  const [S, K] = [sample.data as Float64Array, k.data as Float64Array];
  for (let i = 0; i < K.length; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += S[i * m + j]!;
    K[i] = s / m;
  }
  return k;
}

/** Adds sum(x - K) into `s1` and sum((x - K)^2) into `s2` over one block. */
function foldShifted(s1: Tile, s2: Tile, k: Tile, t: Tile, axes: readonly number[]): void {
  const os = stridesOf(s1.shape).map((s, d) => (axes.includes(d) ? 0 : s));
  const ops = [
    { data: s1.data, offset: 0, strides: os },
    { data: s2.data, offset: 0, strides: os },
    { data: t.data, offset: t.offset, strides: t.strides },
    { data: k.data, offset: 0, strides: os },
  ];
  runNest(`shifted:${t.data.constructor.name}`, t.shape, ops, [], (p, s, n) => {
    // Reduced innermost axis: scalar accumulators, two chains each (the adds' latency, not memory, bounds one).
    const scalar = `const kk = A3[${p[3]}]; const q = ${s[2]}; let a0 = 0, a1 = 0, b0 = 0, b1 = 0; let j = 0;
      for (; j + 1 < ${n}; j += 2) { const d0 = A2[${p[2]}] - kk, d1 = A2[${p[2]} + q] - kk; a0 += d0; a1 += d1; b0 += d0 * d0; b1 += d1 * d1; ${p[2]} += 2 * q; }
      for (; j < ${n}; j++) { const d0 = A2[${p[2]}] - kk; a0 += d0; b0 += d0 * d0; ${p[2]} += q; }
      A0[${p[0]}] += a0 + a1; A1[${p[1]}] += b0 + b1;`;
    // Kept innermost axis, unit strides: vector accumulate from fixed bases.
    const unit = `const c0 = ${p[0]}, c1 = ${p[1]}, c2 = ${p[2]}, c3 = ${p[3]};
      for (let j = 0; j < ${n}; j++) { const d = A2[c2 + j] - A3[c3 + j]; A0[c0 + j] += d; A1[c1 + j] += d * d; }`;
    const general = `for (let j = 0; j < ${n}; j++) { const d = A2[${p[2]}] - A3[${p[3]}]; A0[${p[0]}] += d; A1[${p[1]}] += d * d; ${p.map((v, i) => `${v} += ${s[i]};`).join(" ")} }`;
    return `if (${s[0]} === 0) { ${scalar} } else if (${s[0]} === 1 && ${s[2]} === 1) { ${unit} } else { ${general} }`;
  });
}

/**
 * Mean, M2 and sum of plain (non-virtual, non-64-bit-integer) blocks along `axes`, in one pass over each;
 * undefined when a shift is not finite (an infinity or NaN first: the two-pass path gives NumPy's answer).
 */
export function shiftedMoments(blocks: readonly Tile[], axes: readonly number[]): Moments | undefined {
  const kept = blocks[0]!.shape.map((n, d) => (axes.includes(d) ? 1 : n));
  const s1 = zeros(kept);
  const s2 = zeros(kept);
  const first = blocks.find((t) => sizeOf(t.shape) > 0);
  const k = first ? leadingMean(first, axes, kept) : zeros(kept);
  if (!(k.data as Float64Array).every(Number.isFinite)) return undefined;
  let count = 0;
  for (const t of blocks) {
    count += axes.reduce((acc, d) => acc * t.shape[d]!, 1);
    if (sizeOf(t.shape) > 0) foldShifted(s1, s2, k, t, axes);
  }
  const [S1, S2, K] = [s1.data as Float64Array, s2.data as Float64Array, k.data as Float64Array];
  const mean = zeros(kept);
  const m2 = zeros(kept);
  const sum = zeros(kept);
  const [M, Q, S] = [mean.data as Float64Array, m2.data as Float64Array, sum.data as Float64Array];
  for (let i = 0; i < S1.length; i++) {
    const a = S1[i]!;
    M[i] = count > 0 ? K[i]! + a / count : 0;
    Q[i] = count > 0 ? Math.max(0, S2[i]! - (a * a) / count) : 0;
    S[i] = a + count * K[i]!;
  }
  return { count, sum, mean, m2 };
}
