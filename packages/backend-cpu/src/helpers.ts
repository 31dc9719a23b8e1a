/** Scalar helpers that generated loops call as `H.name`: NumPy semantics for mod and rounding. */

/** Python/NumPy modulo: the result takes the divisor's sign. */
function mod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** Round half to even (numpy.rint). */
function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
}

/** numpy.round(x, decimals): rint(x * 10^d) / 10^d. */
function round(x: number, decimals: number): number {
  if (decimals >= 0) {
    const f = 10 ** decimals;
    return rint(x * f) / f;
  }
  const f = 10 ** -decimals;
  return rint(x / f) * f;
}

/** A JS number to a 64-bit integer value (NaN and infinities become 0; fractions truncate). */
function big(v: number | boolean): bigint {
  const n = Number(v);
  return Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
}

export const H = { mod, rint, round, big } as const;
export type Helpers = typeof H;
